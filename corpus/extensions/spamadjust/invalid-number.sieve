# expect: wrong-argument-type
# dialect: oracle
# The adjustment is a string ("+3 reason"), not a bare number.
require ["spamtest", "spamadjust"];

if (header :contains "Subject" "crypto giveaway") {
    spamadjust 3;
}
