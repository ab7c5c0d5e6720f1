# valid-relational-counts.sieve -- act on how many recipients a message has and on
# numeric header values.
require ["relational", "comparator-i;ascii-numeric", "fileinto"];

# Mass mailings: more than 20 addresses in To and Cc together.
if address :count "gt" :comparator "i;ascii-numeric" ["To", "Cc"] "20" {
    fileinto "Bulk";
    stop;
}

# A scanner score of 5 or more.
if header :value "ge" :comparator "i;ascii-numeric" "X-Spam-Score" "5" {
    fileinto "Junk";
    stop;
}

# No Received header at all: submitted locally.
if header :count "eq" :comparator "i;ascii-numeric" "Received" "0" {
    fileinto "Local";
} elsif header :value "lt" "Subject" "B" {
    # Subjects sorting before "B" in the default comparator (i;ascii-casemap).
    fileinto "A-Subjects";
}
