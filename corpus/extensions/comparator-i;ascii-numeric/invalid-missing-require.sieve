# expect: missing-require
# Line 6: "i;ascii-numeric" must be required as "comparator-i;ascii-numeric";
# only i;octet and i;ascii-casemap come without a require.
require ["relational", "fileinto"];

if header :value "ge" :comparator "i;ascii-numeric" "X-Spam-Score" "5" {
    fileinto "Junk";
}
