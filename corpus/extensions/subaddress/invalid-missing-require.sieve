# expect: missing-require
# Line 5: :detail comes from "subaddress", which is not required.
require ["envelope", "fileinto"];

if envelope :detail :is "to" "shop" {
    fileinto "Shop";
}
