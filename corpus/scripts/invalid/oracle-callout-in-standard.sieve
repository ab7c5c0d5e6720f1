# errors: 1
# line 12: a string is not allowed in a test list: greylst("...") is Oracle dialect, not RFC 5228
require ["variables", "reject"];

# Pasted from an Oracle Messaging Server filter into a standard server.
if header :matches "Received" "*(Forwarded-For: *)*" {
    set "IP_ADDR" "${2}";
}
if header :matches "From" "*<*>*" {
    set "FROM_ADDR" "${2}";
}
set "RESULT" greylst("${IP_ADDR}|${FROM_ADDR}|uwc");
if not string :is "${RESULT}" "" {
    reject "Please try again later.";
}
