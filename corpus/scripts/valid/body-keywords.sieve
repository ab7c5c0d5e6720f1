# body-keywords.sieve -- look inside the message body (RFC 5173).
require ["body", "fileinto"];

# Unsubscribe footers mark newsletters that lack List-* headers.
if body :text :contains ["unsubscribe", "abmelden", "se désinscrire"] {
    fileinto "Newsletters";
    stop;
}

# Out-of-office replies that do not set Auto-Submitted.
if body :content "text/plain" :contains ["I am out of the office",
                                         "ich bin nicht im Büro"] {
    fileinto "AutoReplies";
    stop;
}

# Job cron outputs: look at the raw body for a shell error.
if allof (header :contains "Subject" "Cron",
          body :raw :contains "command not found") {
    fileinto "Cron/Errors";
}
elsif header :contains "Subject" "Cron" {
    fileinto "Cron";
}

# HTML-only messages with a tracking pixel.
if body :content "text/html" :matches "*<img*width=\"1\"*height=\"1\"*" {
    fileinto "Tracked";
}
