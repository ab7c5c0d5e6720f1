# errors: 1
# line 7: unquoted address: '@' is not valid outside a string
require ["copy"];

# Forward everything from the bank to the accountant.
if address :domain :is "From" "bank.example.net" {
    redirect :copy accountant@example.org;
}
keep;
