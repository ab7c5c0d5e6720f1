# dialect: oracle
# Tag the Subject line of suspicious mail; several tags add up ("[SPAM]|[BULK]").
require ["addtag", "spamtest", "relational", "comparator-i;ascii-numeric"];

if (spamtest :value "ge" :comparator "i;ascii-numeric" "5") {
    addtag "[SPAM]";
}
if (header :contains "Precedence" ["bulk", "list"]) {
    addtag "[Probable Bulk]";
}
