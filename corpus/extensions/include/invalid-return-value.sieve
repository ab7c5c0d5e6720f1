# expect: too-many-arguments, missing-argument
# return takes no value, and include needs the name of the script.
require ["include"];

include :once;
if header :contains "Subject" "[bulk]" {
    return "bulk";
}
