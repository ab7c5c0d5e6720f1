# errors: 1
# line 8: missing ';' after fileinto (the closing '}' on line 9 comes instead)
require ["fileinto"];

# File newsletters away from the inbox.
if anyof (exists "List-Unsubscribe",
          header :contains "Precedence" "bulk") {
    fileinto "Newsletters"
}

if header :contains "Subject" "invoice" {
    fileinto "Finance";
}
