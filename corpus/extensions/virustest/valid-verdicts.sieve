# "0" not scanned, "1" clean, "2" to "4" suspicious or cleaned, "5" infected.
require ["virustest", "relational", "comparator-i;ascii-numeric", "fileinto"];

if virustest :value "eq" :comparator "i;ascii-numeric" "0" {
    fileinto "Unscanned";
} elsif virustest :value "eq" :comparator "i;ascii-numeric" "5" {
    discard;
    stop;
} elsif virustest :value "ge" :comparator "i;ascii-numeric" "2" {
    fileinto "Quarantine";
}
