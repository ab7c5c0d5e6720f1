# errors: 1
# line 6: missing ',' between the string list items "bulk" and "junk"
require ["fileinto"];

# Bulk mail, either by Precedence or by the Outlook auto-reply header.
if header :is "Precedence" ["bulk" "junk", "list"] {
    fileinto "Bulk";
    stop;
}
if exists "X-Auto-Response-Suppress" {
    fileinto "AutoReplies";
}
