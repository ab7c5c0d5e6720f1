# expect: missing-argument
# mailboxexists needs the names of the mailboxes to look for.
require ["mailbox", "fileinto"];

if mailboxexists {
    fileinto "Archive";
}
