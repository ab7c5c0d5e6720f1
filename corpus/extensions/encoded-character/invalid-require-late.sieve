# expect: require-not-first
# Line 8: require must come before every other command.
require "fileinto";

if header :contains "Subject" "[spam]" {
    fileinto "Junk";
}
require "encoded-character";

if header :contains "Subject" "${unicode:20AC}" {
    fileinto "Offers";
}
