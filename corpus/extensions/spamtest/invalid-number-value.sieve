# expect: wrong-argument-type, missing-require
# The score is compared as a string ("5"), and :value needs "relational".
require ["spamtest", "comparator-i;ascii-numeric", "fileinto"];

if spamtest :comparator "i;ascii-numeric" 5 {
    fileinto "Junk";
}
if spamtest :value "ge" :comparator "i;ascii-numeric" "9" {
    discard;
}
