# valid-flag-tagging.sieve -- set IMAP flags on delivery, both the internal flag list
# and flags collected in a variable.
require ["imap4flags", "variables", "fileinto"];

# Messages from the family are flagged.
if address :domain :is "From" "family.example.net" {
    setflag "\\Flagged";
}

# Notifications are marked read and filed with their own keyword.
if address :is "From" "noreply@tickets.example.com" {
    addflag "\\Seen";
    fileinto :flags ["\\Seen", "$Ticket"] "Tickets";
    stop;
}

# Flags gathered in the variable "pending".
setflag "pending" "$Inbox";
if header :contains "Subject" "[urgent]" {
    addflag "pending" ["$Urgent", "\\Flagged"];
}
if header :is "X-Spam-Flag" "YES" {
    removeflag "pending" ["\\Flagged", "$Urgent"];
    addflag "pending" "$Junk";
    removeflag "\\Flagged";
}

if hasflag :contains "pending" "$Junk" {
    fileinto :flags "${pending}" "Junk";
} elsif hasflag :comparator "i;ascii-casemap" :is "\\flagged" {
    keep :flags ["\\Flagged", "$Important"];
} else {
    keep :flags "${pending}";
}
