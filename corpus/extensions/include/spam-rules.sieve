# Included by valid-personal-and-site.sieve: rates the message and names its list, in the
# variables the main script declared global.
require ["include", "variables", "relational", "comparator-i;ascii-numeric"];

global ["spam_score", "list_name"];
if header :value "ge" :comparator "i;ascii-numeric" "X-Spam-Score" "5" {
    set "spam_score" "high";
}
if header :matches "List-Id" "*<*.*>*" {
    set "list_name" "${2}";
}
