# relational-counts.sieve -- decide on the number of recipients and hops,
# and on numeric header values, with the relational extension.
require ["relational", "comparator-i;ascii-numeric", "fileinto"];

# Mail with more than 15 visible recipients is a mass mailing.
if address :count "ge" :comparator "i;ascii-numeric" ["To", "Cc"] "15" {
    fileinto "Bulk";
    stop;
}

# More than 25 Received lines: something is looping.
if header :count "gt" :comparator "i;ascii-numeric" "Received" "25" {
    fileinto "Loops";
    stop;
}

# Priority header from Outlook: 1 (highest) .. 5 (lowest).
if header :value "le" :comparator "i;ascii-numeric" "X-Priority" "2" {
    fileinto "Urgent";
}
elsif header :value "ge" :comparator "i;ascii-numeric" "X-Priority" "4" {
    fileinto "Later";
}

# Exactly one recipient, no Cc: a personal message.
if allof (address :count "eq" :comparator "i;ascii-numeric" "To" "1",
          not exists "Cc") {
    keep;
}

# Sort alphabetically late senders into a second archive (string compare).
if address :value "ge" :localpart "From" "n" {
    fileinto "Archive/N-Z";
}
