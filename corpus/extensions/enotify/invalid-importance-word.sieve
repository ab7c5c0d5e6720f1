# expect: bad-value
# :importance takes "1", "2" or "3", not a word.
require ["enotify"];

if header :contains "Subject" "URGENT" {
    notify :importance "high" :message "Urgent mail arrived" "mailto:alm@example.com";
}
