# greylisting.sieve -- Oracle Communications Messaging Server dialect.
# Greylist unknown (client IP, sender, recipient) triplets through the
# gross daemon, called via the FILTER_GREYLIST mapping table.
require ["variables", "envelope", "ereject", "addheader"];

# Mail from our own relays and authenticated users is never greylisted.
if (header :contains "Received" ["by mx1.example.com with ESMTPSA",
                                 "from relay.example.com"]) {
    stop;
}

# Client IP: the MTA records it as "(Forwarded-For: a.b.c.d)" in Received.
if (header :matches "Received" "*(Forwarded-For: *)*") {
    set "IP_ADDR" "${2}";
}
# Sender and first recipient from the envelope.
if (envelope :all :matches "from" "*") {
    set "FROM_ADDR" "${1}";
}
if (envelope :all :matches "to" "*") {
    set "TO_ADDR" "${1}";
}

# Ask the greylisting service; an empty result means "let it pass".
set "RESULT" greylst("${IP_ADDR}|${FROM_ADDR}|${TO_ADDR}");
if (not string :is "${RESULT}" "") {
    ereject "4.7.1 Greylisted, please try again in a few minutes.";
    stop;
}
addheader "X-Greylist: passed ${IP_ADDR}";
