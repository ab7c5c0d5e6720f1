# errors: 1
# line 14: missing ';' after the final keep at end of file
require ["fileinto", "envelope"];

if envelope :domain :is "from" "partner.example.net" {
    fileinto "Partners";
    stop;
}
if header :contains "Subject" "[ops]" {
    fileinto "Ops";
    stop;
}
# default action
keep
