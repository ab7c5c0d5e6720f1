# expect: unknown-comparator
# Line 5: there is no "i;numeric" comparator; the name is "i;ascii-numeric".
require ["comparator-i;ascii-numeric", "relational", "fileinto"];

if header :value "ge" :comparator "i;numeric" "X-Spam-Score" "5" {
    fileinto "Junk";
}
