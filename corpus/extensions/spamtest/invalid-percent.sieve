# expect: missing-require
# :percent needs "spamtestplus"; plain spamtest scores go from 0 to 10.
require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto"];

if spamtest :percent :value "ge" :comparator "i;ascii-numeric" "80" {
    fileinto "Junk";
}
