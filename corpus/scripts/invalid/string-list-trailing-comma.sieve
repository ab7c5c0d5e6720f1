# errors: 1
# line 8: trailing ',' before ']' in string list
require ["fileinto"];

# Colleagues whose mail always stays in the inbox.
if address :is "From" ["anna@example.com",
                       "bert@example.com",
                       "chris@example.com",] {
    keep;
    stop;
}
if header :contains "Subject" "newsletter" {
    fileinto "Newsletters";
}
