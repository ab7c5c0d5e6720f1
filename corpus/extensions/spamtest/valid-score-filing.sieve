# File by spam score: "0" means the message was not scanned, 1 to 10 is the score.
require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto"];

if spamtest :value "eq" :comparator "i;ascii-numeric" "0" {
    fileinto "Unscanned";
} elsif spamtest :value "ge" :comparator "i;ascii-numeric" "8" {
    discard;
    stop;
} elsif spamtest :value "ge" :comparator "i;ascii-numeric" "5" {
    fileinto "Junk";
}
