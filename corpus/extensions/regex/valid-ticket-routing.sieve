# Ticket mail: the ticket number comes out of the Subject with a regular expression;
# replies from the sender's own address are matched literally with :quoteregex.
require ["regex", "variables", "fileinto"];

if header :regex "Subject" "\\[(TICKET|CASE)-([0-9]+)\\]" {
    set "kind" "${1}";
    set "number" "${2}";
    fileinto "Support/${kind}-${number}";
    stop;
}

if address :regex :localpart "From" "^(no-?reply|donotreply|mailer-daemon)$" {
    fileinto "Automated";
    stop;
}

if address :matches :all "From" "*" {
    set :quoteregex "sender" "${1}";
}
if header :regex "Reply-To" "^(.*<)?${sender}>?$" {
    fileinto "Direct";
}
