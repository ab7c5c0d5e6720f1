# Use duplicate suppression and flags where the server has them; refuse to run
# without fileinto rather than lose mail into the inbox.
require ["ihave"];

if ihave "duplicate" {
    if duplicate {
        discard;
        stop;
    }
}

if ihave ["imap4flags", "fileinto"] {
    if header :contains "Subject" "[newsletter]" {
        addflag "\\Seen";
        fileinto "Newsletters";
    }
} else {
    error "this filter needs the fileinto and imap4flags extensions";
}
