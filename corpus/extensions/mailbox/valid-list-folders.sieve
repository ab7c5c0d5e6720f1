# Mailing-list mail goes to its own folder, created on first use.
require ["mailbox", "fileinto"];

if header :contains "List-Id" "<sieve.ietf.org>" {
    if mailboxexists "Lists/sieve" {
        fileinto "Lists/sieve";
    } else {
        fileinto :create "Lists/sieve";
    }
    stop;
}
if not mailboxexists ["Junk", "Archive"] {
    keep;
}
