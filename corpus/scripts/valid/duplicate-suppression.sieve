# duplicate-suppression.sieve -- drop duplicate deliveries caused by
# cross-posting and Cc'd list copies (RFC 7352).
require ["duplicate", "variables", "fileinto", "imap4flags"];

# The same Message-ID within one day: the list copy of a mail we already
# got directly. Discard the second one.
if duplicate :seconds 86400 {
    discard;
    stop;
}

# Monitoring sends the same alert every five minutes; file it once per
# hour per alert subject, and mark the repeats as read.
if header :matches "Subject" "[ALERT] *" {
    set "alert" "${1}";
    if duplicate :handle "alerts" :uniqueid "${alert}" :seconds 3600 {
        fileinto :flags "\\Seen" "Alerts/Repeats";
    } else {
        fileinto "Alerts";
    }
    stop;
}

# Newsletters sometimes re-send with a new Message-ID but the same
# campaign header.
if duplicate :header "X-Campaign-Id" :last {
    discard;
}
