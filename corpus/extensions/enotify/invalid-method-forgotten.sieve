# expect: missing-argument
# The notification URI (the method) was left out.
require ["enotify"];

if address :is "From" "boss@example.org" {
    notify :importance "1" :message "Boss wrote";
}
