# errors: 1
# line 8: variable reference written outside quotes: '$' is not valid outside a string
require ["fileinto", "variables", "subaddress"];

# Plus-address folders: alice+shop@example.com -> shop
if address :detail :matches "To" "*" {
    set :lower "folder" "${1}";
    fileinto ${folder};
}
