# extlists-addressbook.sieve -- whitelist and blacklist by externally
# stored lists (RFC 6134): the personal address book and a site list.
require ["extlists", "envelope", "fileinto", "spamtest", "relational",
         "comparator-i;ascii-numeric", "variables"];

# People in my address book may send anything, except obvious spam.
if envelope :list "from" ":addrbook:default" {
    set "spam_limit" "9";
} else {
    set "spam_limit" "4";
}
if spamtest :value "ge" :comparator "i;ascii-numeric" "${spam_limit}" {
    fileinto "Junk";
    stop;
}

# Senders the helpdesk has blocked, kept in the directory.
if address :list "From" "tag:example.com,2024:blocked-senders" {
    discard;
    stop;
}

# Colleagues' mail goes to its own folder when the list is available.
if valid_ext_list "tag:example.com,2024:staff" {
    if address :list ["From", "Sender"] "tag:example.com,2024:staff" {
        fileinto "Colleagues";
        stop;
    }
}

# Copy board mail to everyone on the board distribution list.
if header :contains "Subject" "[board]" {
    redirect :list "tag:example.com,2024:board-members";
}
