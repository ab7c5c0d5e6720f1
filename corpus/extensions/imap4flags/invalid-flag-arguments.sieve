# expect: too-many-arguments, missing-argument
# Line 8: the two flags need brackets: ["\\Seen", "\\Flagged"]; as written the
# command has three arguments.
# Line 11: removeflag needs the flags to remove.
require ["imap4flags", "variables"];

if address :is "From" "boss@example.com" {
    setflag "seen" "\\Seen" "\\Flagged";
}
if header :is "X-Spam-Flag" "YES" {
    removeflag;
}
