# include-main.sieve -- the user's active script: a small "main" that pulls
# in the site-wide policy and a personal helper (RFC 6609 include).
require ["include", "variables", "fileinto"];

# Values shared with the included scripts must be declared global.
global ["junk_folder", "lists_prefix", "handled"];
set "junk_folder" "Junk";
set "lists_prefix" "Lists";

# Site policy maintained by the administrators; missing is fine.
include :global :optional "site-policy";

# Spam handling and list sorting live in a helper of the user.
include :personal "include-helper";

# The helper sets "handled" when it filed the message.
if string :is "${handled}" "yes" {
    stop;
}

# Run the once-only legal footer check, even if included elsewhere too.
include :once :optional "legal-footer";

keep;
