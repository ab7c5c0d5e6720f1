# Percent scores: RFC 5235 lets a script require "spamtestplus" alone to use spamtest
# with :percent.
require ["spamtestplus", "relational", "comparator-i;ascii-numeric", "fileinto"];

if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "0" {
    fileinto "Unscanned";
} elsif spamtest :percent :value "ge" :comparator "i;ascii-numeric" "90" {
    discard;
} elsif spamtest :percent :value "ge" :comparator "i;ascii-numeric" "50" {
    fileinto "Junk";
}
