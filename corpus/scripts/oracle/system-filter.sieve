# system-filter.sieve -- Oracle Communications Messaging Server dialect.
# The system-wide filter (MTA option FILTER): applies to every message
# before user filters run.
require ["variables", "envelope", "reject", "ereject", "addheader",
         "jettison", "fileinto"];

# Block senders listed in the FILTER_BLOCKLIST mapping table.
if (envelope :all :matches "from" "*") {
    set "FROM_ADDR" "${1}";
}
if blocklist "${FROM_ADDR}" {
    ereject "5.7.1 Your address is blocked by our mail policy.";
    stop;
}

# Virus scanner verdict: infected mail is destroyed silently.
if (header :is "X-Virus-Status" "infected") {
    jettison;
    stop;
}

# Mail to the whole company needs an approved sender.
if (address :all :is ["To", "Cc"] "all-staff@example.com") {
    set "APPROVED" allstaffsenders("${FROM_ADDR}");
    if (string :is "${APPROVED}" "") {
        reject "Only approved senders may write to all-staff@example.com.";
        stop;
    }
    addheader "X-All-Staff-Approved: ${APPROVED}";
}

# Oversized mail is refused with a clear message.
if (size :over 50M) {
    reject "Messages larger than 50 MB are not accepted.";
}
