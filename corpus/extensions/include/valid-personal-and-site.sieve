# The main script: the site policy (if the administrator installed one) and the
# user's spam rules, which share the spam score through a global variable.
require ["include", "variables", "fileinto"];

global ["spam_score", "list_name"];
set "spam_score" "0";

include :global :optional "site-policy";
include :personal :once "spam-rules";

if string :is "${spam_score}" "high" {
    fileinto "Junk";
    return;
}
if not string :is "${list_name}" "" {
    fileinto "Lists/${list_name}";
}
