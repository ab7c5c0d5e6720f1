# expect: conflicting-tags
# Line 6: a test takes one address part; use two tests joined by allof.
require ["subaddress", "fileinto"];

# Meant: user "ken" with detail "shop".
if address :user :detail :is "To" ["ken", "shop"] {
    fileinto "Shop";
}
