# spamtest-virustest.sieve -- use the standardised spam and virus scores
# (RFC 5235) instead of scanner-specific headers. "spamtestplus" implies
# "spamtest" and adds the :percent form, so only the former is required.
require ["spamtestplus", "virustest", "relational",
         "comparator-i;ascii-numeric", "fileinto"];

# virustest: 1 = clean ... 5 = definitely infected, 0 = not tested.
if virustest :value "eq" :comparator "i;ascii-numeric" "5" {
    discard;
    stop;
}
if virustest :value "ge" :comparator "i;ascii-numeric" "3" {
    fileinto "Quarantine";
    stop;
}

# spamtestplus: a percentage is easier to explain to users.
if spamtest :percent :value "ge" :comparator "i;ascii-numeric" "90" {
    discard;
    stop;
}
if spamtest :percent :value "gt" :comparator "i;ascii-numeric" "50" {
    fileinto "Junk";
    stop;
}

# Plain spamtest (1..10): a low-confidence grey zone.
if spamtest :value "ge" :comparator "i;ascii-numeric" "4" {
    fileinto "Junk/Maybe";
}
# "0" means the message was never scanned: keep it but mark the folder.
elsif spamtest :value "eq" :comparator "i;ascii-numeric" "0" {
    fileinto "Unscanned";
}
