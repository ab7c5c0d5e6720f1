# valid-numeric-priority.sieve -- compare header values as numbers, not as text
# (as text, "10" sorts before "9").
require ["comparator-i;ascii-numeric", "relational", "fileinto"];

# X-Priority: 1 (Highest) ... 5 (Lowest); only the leading digits count.
if header :comparator "i;ascii-numeric" :is "X-Priority" "1" {
    fileinto "Urgent";
    stop;
}

if header :comparator "i;ascii-numeric" :value "ge" "X-Spam-Level-Num" "10" {
    fileinto "Junk";
}
