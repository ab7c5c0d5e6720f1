# expect: unknown-tag
# :percent belongs to spamtest only; virustest has no percent scale.
require ["spamtestplus", "virustest", "relational", "comparator-i;ascii-numeric"];

if virustest :percent :value "ge" :comparator "i;ascii-numeric" "80" {
    discard;
}
