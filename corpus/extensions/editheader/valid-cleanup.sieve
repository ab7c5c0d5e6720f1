# Remove the spam headers that senders forge, keep the original Subject for the client,
# and stamp the message as filtered.
require ["editheader", "variables"];

deleteheader "X-Spam-Status";
deleteheader :is :comparator "i;ascii-casemap" "X-Mailer" ["Bulk Mailer 1.0", "MassMail"];
deleteheader :index 1 :last "X-Original-Subject";

if header :matches "Subject" "*" {
    addheader "X-Original-Subject" "${1}";
}
addheader :last "X-Filtered-By" "sieve.example.com";
