# errors: 1
# line 7: unquoted folder name INBOX.Lists: '.' is not valid outside a string
require ["fileinto"];

# Courier-style folder names copied from the old procmail setup.
if exists "List-Id" {
    fileinto INBOX.Lists;
    stop;
}
keep;
