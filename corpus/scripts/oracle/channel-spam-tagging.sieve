# channel-spam-tagging.sieve -- Oracle Communications Messaging Server
# dialect. Channel-level filter on tcp_local (mail from the Internet):
# adjust the spam score, tag subjects and throw away certain junk.
require ["variables", "addheader", "addtag", "spamtest", "spamadjust", "jettison",
         "relational", "comparator-i;ascii-numeric"];

# Senders listed in the FILTER_TRUSTEDSENDERS mapping table get a bonus.
if (address :all :matches "From" "*") {
    set "FROM_ADDR" "${1}";
}
if trustedsenders "${FROM_ADDR}" {
    spamadjust "-5 trusted sender";
}

# Typical junk features, each worth a few points.
if (header :contains "Subject" ["viagra", "casino", "crypto giveaway"]) {
    spamadjust "+5 spam words in subject";
}
if (not exists "Message-ID") {
    spamadjust "+2 no Message-ID";
}
if (header :matches "From" "*@*.*.*.*.*") {
    spamadjust "+1 deeply nested sender domain";
}

# The spam filter score is exported in X-Spam-Score-Internal as stars.
if (header :contains "X-Spam-Score-Internal" "**********") {
    # Certain spam: drop it without a bounce.
    jettison;
} elsif (header :contains "X-Spam-Score-Internal" "*****") {
    addtag "[SPAM]";
    addheader "X-Spam-Flag: YES";
} elsif (header :contains "X-Spam-Score-Internal" "***") {
    addtag "[SUSPECT]";
}
