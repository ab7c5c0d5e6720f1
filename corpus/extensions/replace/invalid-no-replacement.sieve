# expect: missing-argument
# The new body was left out.
require ["replace"];

if header :contains "Subject" "[confidential]" {
    replace :subject "Confidential message withheld";
}
