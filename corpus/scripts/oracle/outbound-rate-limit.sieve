# outbound-rate-limit.sieve -- Oracle Communications Messaging Server
# dialect. Channel-level filter on the submission (tcp_auth) channel:
# throttle authenticated senders whose mail looks like spam, using the
# FILTER_LIMITAUTHSPAM and FILTER_RATELIMIT mapping-table callouts.
require ["variables", "envelope", "reject", "ereject", "addheader"];

# Only mail that the spam scanner rated is counted.
if (header :contains "X-Spam-Score-Internal" "****") {
    if (envelope :all :matches "from" "*") {
        set "FROM_ADDR" "${1}";
    }
    if (envelope :all :matches "to" "*") {
        set "TO_ADDR" "${1}";
    }
    # The callout is a test: it succeeds when MeterMaid says the sender
    # is over quota.
    if limitauthspam "${FROM_ADDR}|${TO_ADDR}" {
        set "RESULT" "${0}";
        reject "Your account has sent too many messages that look like spam. Please contact the helpdesk.";
        stop;
    }
}

# All authenticated mail counts towards the hourly volume limit; the
# callout returns the remaining allowance as a value.
set "REMAINING" ratelimit("${FROM_ADDR}|hourly");
if (not string :is "${REMAINING}" "") {
    addheader "X-Rate-Remaining: ${REMAINING}";
}
if (string :is "${REMAINING}" "0") {
    ereject "Hourly sending limit reached, please try again later.";
}
