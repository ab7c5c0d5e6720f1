# mailbox-create.sieve -- create folders on demand and fall back when a
# folder does not exist (RFC 5490 mailbox extension).
require ["mailbox", "fileinto", "variables"];

# Per-customer folders are created the first time a customer writes.
if address :domain :matches "From" "*.customers.example.com" {
    set :lower "customer" "${1}";
    fileinto :create "Customers/${customer}";
    stop;
}

# Only file into the team folder if somebody created it already;
# otherwise leave the message in INBOX.
if header :contains "Subject" "[team]" {
    if mailboxexists "Team" {
        fileinto "Team";
    } else {
        keep;
    }
    stop;
}

# Both archive folders have to exist for the split to make sense.
if mailboxexists ["Archive/Internal", "Archive/External"] {
    if address :domain :is "From" "example.com" {
        fileinto "Archive/Internal";
    } else {
        fileinto :create "Archive/External";
    }
}
