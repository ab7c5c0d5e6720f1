# A counted repetition whose compiled program is enormous: refused at compile time,
# not allocated.
require "regex";
if header :regex "subject" "((a{1000}){1000}){1000}" { discard; }
