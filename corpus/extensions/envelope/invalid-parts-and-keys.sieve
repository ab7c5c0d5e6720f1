# expect: conflicting-tags, missing-argument
# Line 6: :localpart and :domain are both address parts; only one may be given.
# Line 9: the key list is missing.
require ["envelope", "fileinto"];

if envelope :localpart :domain :is "to" "support" {
    fileinto "Support";
}
if envelope :domain :is "from" {
    fileinto "Unknown";
}
