# dialect: oracle
# Channel filter on tcp_local: flag probable spam with a header line that the user's
# mail client can sort on. Oracle's addheader takes the whole "Name: value" line.
require ["addheader", "spamtest", "relational", "comparator-i;ascii-numeric"];

if (spamtest :value "ge" :comparator "i;ascii-numeric" "5") {
    addheader "X-Spam-Flag: YES";
}
addheader "X-Filtered-By: mx1.example.com channel filter";
