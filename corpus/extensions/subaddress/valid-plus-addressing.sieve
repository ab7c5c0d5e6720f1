# valid-plus-addressing.sieve -- "ken+shop@example.com" files into "Shop": the detail
# part of the address picks the folder.
require ["subaddress", "envelope", "fileinto", "variables"];

# Only for mail addressed to this user.
if envelope :user :is "to" "ken" {
    if envelope :detail :matches "to" "?*" {
        set :upperfirst "folder" "${0}";
        fileinto "Tagged/${folder}";
        stop;
    }
}

# Old sign-ups used the address in the To header.
if address :detail :is "To" ["newsletter", "news"] {
    fileinto "Newsletters";
} elsif address :user :contains "Cc" "ken" {
    fileinto "Copies";
}
