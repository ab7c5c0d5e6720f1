# vacation-seconds.sieve -- a short "away from desk" responder for a
# shared support mailbox; answers each sender at most every 30 minutes.
# (This file deliberately uses CRLF line ends, as saved by a Windows editor.)
require ["vacation", "vacation-seconds", "date", "relational"];

# Only outside of office hours (before 08:00 or from 18:00 local time).
if anyof (currentdate :value "lt" "hour" "08",
          currentdate :value "ge" "hour" "18") {
    if not header :contains "Auto-Submitted" "auto-" {
        vacation :seconds 1800
                 :subject "Support: we will answer in the morning"
                 :from "support@example.com"
                 :addresses ["support@example.com", "help@example.com"]
                 :handle "support-after-hours"
"Thank you for contacting support. Our team is available
Monday to Friday, 08:00-18:00 CET, and will answer your
message on the next working day.";
    }
}
keep;
