# expect: missing-require
# The i;ascii-numeric comparator needs "comparator-i;ascii-numeric" in require.
require ["virustest", "relational", "fileinto"];

if virustest :value "ge" :comparator "i;ascii-numeric" "4" {
    fileinto "Quarantine";
}
