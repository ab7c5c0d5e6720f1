# expect: too-many-arguments
# replace takes one replacement; the subject needs its :subject tag.
require ["replace"];

replace "Message withheld" "This message was removed by policy.";
