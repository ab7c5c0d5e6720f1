# expect: conflicting-tags
# :list is a match type and cannot be combined with :is.
require ["extlists", "fileinto"];

if address :list :is "From" ":addrbook:personal" {
    fileinto "Friends";
}
