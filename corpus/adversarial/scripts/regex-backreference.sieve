# Backreferences make regex matching NP-hard; RE2 refuses them at compile time.
require "regex";
if header :regex "subject" "^(a+)\\1+$" { discard; }
