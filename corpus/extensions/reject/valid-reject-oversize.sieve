# valid-reject-oversize.sieve -- refuse huge messages and a known pest, with an MDN.
require "reject";

if size :over 25M {
    reject text:
Your message is larger than 25 MB and was not delivered.
Please put large files on a file share and send a link instead.
.
;
    stop;
}

if address :is "From" "promo@shop.example.biz" {
    reject "I do not accept mail from this address.";
}
