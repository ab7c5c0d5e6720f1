# expect: missing-require, bad-variable-name
# RFC 5232 §3: the forms that name a variable need "variables", and an action names one
# variable, not a list.
require ["imap4flags"];

setflag "flagvar" "\\Seen";
addflag ["one", "two"] "\\Flagged";
