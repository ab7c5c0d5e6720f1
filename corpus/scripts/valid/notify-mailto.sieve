# notify-mailto.sieve -- send short notifications about important mail
# to a pager / SMS gateway address (RFC 5435 with the mailto method).
require ["enotify", "variables", "envelope"];

if header :matches "From" "*" { set "from" "${1}"; }
if header :matches "Subject" "*" { set "subject" "${1}"; }

# Alerts from production monitoring page the on-call engineer.
if allof (address :domain :is "From" "alerts.example.com",
          header :contains "Subject" ["CRITICAL", "DOWN"]) {
    notify :importance "1"
           :from "sieve-notify@example.com"
           :message "ALERT ${subject}"
           "mailto:oncall-pager@sms.example.net";
}

# The CEO gets a normal-priority notification with a link back.
if address :is "From" "ceo@example.com" {
    set :encodeurl "enc_subject" "${subject}";
    notify :importance "2"
           :message "Mail from the CEO: ${subject}"
           :options ["x-extra=1"]
           "mailto:+15550123@sms.example.net?subject=${enc_subject}";
}

# Only notify if the method is usable on this server.
if valid_notify_method "mailto:jane@example.net" {
    if header :contains "Subject" "[deploy]" {
        notify :message "Deployment mail from ${from}"
               "mailto:jane@example.net";
    }
}
if notify_method_capability "mailto:jane@example.net" "online" "yes" {
    notify :importance "3" "mailto:jane@example.net";
}
keep;
