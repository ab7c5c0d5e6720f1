# expect: missing-require
# Line 6: ereject needs its own require; "reject" does not provide it.
require "reject";

if header :is "X-Spam-Flag" "YES" {
    ereject "Refused as spam.";
}
