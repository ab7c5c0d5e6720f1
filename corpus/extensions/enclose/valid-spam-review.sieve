# Probable spam is wrapped in a new message for review, so that its own headers and
# content cannot trick the mail client.
require ["enclose", "spamtest", "relational", "comparator-i;ascii-numeric"];

if spamtest :value "ge" :comparator "i;ascii-numeric" "7" {
    enclose :subject "[SPAM?] message held for review"
            :headers ["From", "Subject", "Date"]
            text:
This message looked like spam and is attached unchanged.
Open the attachment only if you expected it.
.
;
}
