# plus-addressing.sieve -- user+detail@example.com sorting (RFC 5233).
require ["envelope", "subaddress", "fileinto", "variables", "mailbox"];

# Well-known details go to fixed folders.
if envelope :detail :is "to" "spam" {
    fileinto "Junk";
    stop;
}
if envelope :detail :is "to" ["shop", "orders", "receipts"] {
    fileinto "Shopping";
    stop;
}

# Any other detail becomes a folder of its own under "Plus/".
if envelope :detail :matches "to" "*" {
    if string :is "${1}" "" {
        # plain address without "+": nothing to do here
        keep;
    } else {
        set :lower "detail" "${1}";
        fileinto :create "Plus/${detail}";
        stop;
    }
}

# The same on the header side, for mail that arrives through an alias.
if address :user :is "To" "alice" {
    if address :detail :matches "To" "news-*" {
        fileinto :create "Newsletters/${1}";
    }
}
