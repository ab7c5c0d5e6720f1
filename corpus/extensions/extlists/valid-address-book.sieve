# Senders from the personal address book are trusted; mail to the family list is
# redirected to every member of the stored list.
require ["extlists", "envelope", "fileinto"];

if valid_ext_list ":addrbook:personal" {
    if envelope :list "from" ":addrbook:personal" {
        keep;
        stop;
    }
}

if address :all :list "From" "tag:example.com,2024-01-01:blocked-senders" {
    fileinto "Junk";
    stop;
}

if header :contains "List-Id" "<family.example.com>" {
    redirect :list "tag:example.com,2024-01-01:family";
}
