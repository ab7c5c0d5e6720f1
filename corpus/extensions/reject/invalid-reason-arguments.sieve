# expect: too-many-arguments, missing-argument
# Line 7: the reason was split into two strings instead of one text: block.
# Line 10: reject without a reason.
require "reject";

if size :over 25M {
    reject "Your message is too large." "Please send a download link.";
}
if header :is "X-Spam-Flag" "YES" {
    reject;
}
