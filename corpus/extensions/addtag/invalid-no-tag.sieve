# expect: missing-argument
# dialect: oracle
# The tag text was left out.
require ["addtag"];

if (header :contains "Subject" "casino") {
    addtag;
}
