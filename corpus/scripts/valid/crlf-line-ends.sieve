# crlf-line-ends.sieve -- a user filter written in Notepad and uploaded
# through a web interface: every line ends in CRLF, including the lines
# of the multi-line string below.
require ["fileinto", "reject", "variables"];

/* Family and friends stay in INBOX;
   everything from the school goes to its own folder. */
if address :domain :is "From" ["school.example.org", "pta.example.org"] {
    fileinto "School";
    stop;
}

# Sort shop notifications by shop name: orders@shop.example -> Shops/shop
if address :matches "From" ["orders@*.example", "noreply@*.example"] {
    set :lower "shop" "${1}";
    fileinto "Shops/${shop}";
    stop;
}

# The old club address is closed: tell senders where to write now.
if address :is "To" "club-secretary@example.net" {
    reject text:
The club secretary address has moved.
Please write to secretary@club.example.org instead.
.
;
}

if size :over 15M {
    fileinto "Large";
}
