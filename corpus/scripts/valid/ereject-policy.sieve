# ereject-policy.sieve -- refuse mail at SMTP time where possible
# (RFC 5429 ereject), e.g. for retired addresses and forbidden content.
require ["ereject", "envelope", "variables"];

# A closed department mailbox: the sending server gets a 5xx at once.
if envelope :localpart :is "to" ["marketing-old", "press-2019"] {
    ereject "This address is no longer in use; please write to info@example.com.";
    stop;
}

# Mail that claims to come from us but did not go through our relays.
if allof (address :domain :is "From" "example.com",
          not header :contains "Received" "by mx.example.com") {
    ereject "Forged sender address: mail from example.com must be sent through our servers.";
    stop;
}

# Encrypted archives are not accepted.
if header :matches "Content-Type" "*name=\"*.7z\"*" {
    if header :matches "From" "*" { set "sender" "${1}"; }
    ereject "Encrypted archives are not accepted (sender: ${sender}).";
}
