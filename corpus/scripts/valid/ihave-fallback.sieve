# ihave-fallback.sieve -- a portable user script that uses optional
# extensions only where the server offers them (RFC 5463).
require ["ihave", "fileinto"];

# Prefer creating the list folder; servers without "mailbox" just file.
if exists "List-Id" {
    if ihave "mailbox" {
        fileinto :create "Lists";
    } else {
        fileinto "Lists";
    }
    stop;
}

# Flag urgent mail where imap4flags exists, otherwise keep it plainly.
if header :contains "Subject" "urgent" {
    if ihave "imap4flags" {
        addflag "\\Flagged";
    }
    keep;
}

# Servers that know "body" can catch unsubscribe footers.
if ihave "body" {
    if body :text :contains "unsubscribe" {
        fileinto "Newsletters";
    }
}

# An extension this server will never have: the block is skipped.
if ihave "vnd.example.nonexistent" {
    error "this must never be reached";
}
