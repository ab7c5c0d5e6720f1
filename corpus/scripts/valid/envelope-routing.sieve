# envelope-routing.sieve -- route by SMTP envelope rather than headers,
# so Bcc'd copies and list expansions are handled too.
require ["envelope", "fileinto"];

# Bounces have an empty envelope sender.
if envelope :is "from" "" {
    fileinto "Bounces";
    stop;
}

# Mail addressed to the helpdesk alias is forwarded to the ticket system.
if envelope :localpart :is "to" ["helpdesk", "support", "it"] {
    redirect "tickets@helpdesk.example.com";
    stop;
}

# Partner domains get their own folder.
if envelope :domain :is "from" ["partner.example.net", "supplier.example.org"] {
    fileinto "Partners";
}
elsif envelope :domain :matches "from" "*.example.com" {
    fileinto "Internal";
}

# Envelope sender and header sender disagree and the message claims
# to be from our own domain: probably spoofed.
if allof (address :domain :is "From" "example.com",
          not envelope :domain :is "from" ["example.com", "mail.example.com"]) {
    fileinto "Suspicious";
}
