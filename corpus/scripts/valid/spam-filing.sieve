# spam-filing.sieve -- file messages flagged by SpamAssassin / rspamd.
require ["fileinto"];

# Our MTA adds "X-Spam-Flag: YES" once the score crosses the threshold,
# and "X-Spam-Level" with one star per point.
if header :is "X-Spam-Flag" "YES" {
    # Very high scores are not worth even looking at.
    if header :contains "X-Spam-Level" "***************" {
        discard;
        stop;
    }
    fileinto "Junk";
    stop;
}

# rspamd uses a different header name on the backup MX.
if header :contains "X-Spam" "Yes" {
    fileinto "Junk";
    stop;
}

# Borderline messages: keep, but in a folder for later review.
if header :contains "X-Spam-Level" "*****" {
    fileinto "Junk/Maybe";
    stop;
}

# Classic phishing subjects that slipped past the scanners.
if anyof (header :contains "Subject" ["verify your account",
                                      "password expires",
                                      "unusual sign-in activity"],
          header :matches "From" "*paypal*@*.ru*") {
    fileinto "Junk/Phishing";
    stop;
}

# Big attachments from unknown bulk senders.
if allof (size :over 5M, exists "Precedence",
          header :is "Precedence" ["bulk", "junk"]) {
    fileinto "Junk";
}
