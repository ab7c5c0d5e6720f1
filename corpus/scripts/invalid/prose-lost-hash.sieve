# errors: 2
# line 6: prose line that lost its '#' (the apostrophe is not valid Sieve); line 11: prose line that lost its '#' (the '.' and ',' are not valid Sieve)
require ["variables", "reject", "envelope"];

# only limit messages rated as spam
don't touch this block without asking the postmaster
if header :contains "X-Spam-Score-Internal" "****" {
    # pull out the envelope from address
    if envelope :all :matches "from" "*" {
        set "FROM_ADDR" "${1}";
        reject the message. The sender gets a bounce, not a DSN
        reject "Your account has been sending mail that looks like spam.";
    }
}
