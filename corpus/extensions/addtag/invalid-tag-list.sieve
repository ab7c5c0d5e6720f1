# expect: wrong-argument-type
# dialect: oracle
# addtag adds one tag per action: call it twice instead of passing a list.
require ["addtag"];

if (header :contains "Subject" "viagra") {
    addtag ["[SPAM]", "[DRUGS]"];
}
