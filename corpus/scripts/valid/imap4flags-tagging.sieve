# imap4flags-tagging.sieve -- set IMAP flags and keywords on delivery.
require ["imap4flags", "fileinto", "variables"];

# Mail from the family is flagged so the phone shows it highlighted.
if address :domain :is "From" "family.example.net" {
    addflag "\\Flagged";
}

# Notifications from the ticket system are pre-read.
if address :is "From" "noreply@tickets.example.com" {
    setflag "\\Seen";
    fileinto :flags ["\\Seen", "$Ticket"] "Tickets";
    stop;
}

# Collect flags in a variable and apply them at the end.
if header :contains "Subject" "[urgent]" {
    addflag "pending" ["$Urgent", "\\Flagged"];
}
if header :contains "X-Mailer" "Outlook" {
    addflag "pending" "$Label1";
}
if exists "X-Attachment-Id" {
    addflag "pending" "$HasAttachment";
}

# Junk gets the standard keyword clients look for, and no \Flagged.
if header :is "X-Spam-Flag" "YES" {
    removeflag "pending" "\\Flagged";
    addflag "pending" "$Junk";
}

if hasflag :contains "pending" "$Junk" {
    fileinto :flags "${pending}" "Junk";
} elsif hasflag "pending" ["$Urgent"] {
    keep :flags "${pending}";
} else {
    keep :flags "${pending}";
    removeflag "\\Flagged";
}
