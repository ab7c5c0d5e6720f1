# expect: conflicting-tags
# Line 5: :value and :contains are both match types; a test takes one.
require ["relational", "comparator-i;ascii-numeric", "fileinto"];

if header :value "gt" :contains :comparator "i;ascii-numeric" "X-Priority" "3" {
    fileinto "Low";
}
