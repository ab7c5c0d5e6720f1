# expect: wrong-argument-type
# :subject takes one string.
require ["enclose"];

enclose :subject ["Held", "for review"] "This message is attached unchanged.";
