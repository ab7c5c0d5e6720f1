# expect: bad-value
# Line 5: the relational operators are written "gt", "ge", "lt", "le", "eq", "ne".
require ["relational", "comparator-i;ascii-numeric", "fileinto"];

if header :value ">=" :comparator "i;ascii-numeric" "X-Spam-Score" "5" {
    fileinto "Junk";
}
