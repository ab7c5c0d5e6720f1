require ["variables","ereject"];
    pick up the client IP address from the Received header
if header :matches "Received" "**(Forwarded-For: *)*" {
    set "IP_ADDR" "${2}";
}
    pick up the sender address from the From header
if header :matches "From" "**<*>*" {
    set "FROM_ADDR" "${2}";
}
    perform FILTER_GREYLIST mapping callout
set "RESULT" greylst("${IP_ADDR}|${FROM_ADDR}|uwc");
    temporarily reject the message if it is greylisted
if (not string :is "${RESULT}" "") {
    erejec "Delivery failed. Please wait 10 seconds and try sending again...";
}
