# expect: duplicate-tag
# :percent is given twice.
require ["spamtestplus", "relational", "comparator-i;ascii-numeric", "fileinto"];

if spamtest :percent :value "ge" :percent :comparator "i;ascii-numeric" "50" {
    fileinto "Junk";
}
