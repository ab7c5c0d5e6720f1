# expect: unknown-command
# Line 6: "erject" is a typo for ereject.
require "ereject";

if header :contains "Subject" "casino bonus" {
    erject "Refused as spam.";
}
