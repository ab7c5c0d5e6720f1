# Alerts for mail from the boss by e-mail, and for the on-call list by XMPP when the
# pager account is online. The subject goes into the mailto URI, so it is URL-encoded.
require ["enotify", "variables", "fileinto"];

if header :matches "Subject" "*" {
    set "subject" "${1}";
}
set :encodeurl "subject_uri" "${subject}";

if address :is "From" "boss@example.org" {
    notify :importance "1"
           :from "sieve-alerts@example.com"
           :message "Boss wrote: ${subject}"
           "mailto:alm@example.com?subject=${subject_uri}";
}

if header :contains "List-Id" "<oncall.example.com>" {
    if allof (valid_notify_method "xmpp:pager@im.example.com",
              notify_method_capability :comparator "i;ascii-casemap" :is
                  "xmpp:pager@im.example.com" "online" ["yes", "maybe"]) {
        notify :importance "2"
               :options ["x-resource=pager"]
               :message "[on-call] ${subject}"
               "xmpp:pager@im.example.com";
    }
    fileinto "OnCall";
}
