# errors: 1
# line 7: test list of allof opened on line 6 is not closed with ')' (a '{' comes instead)
require ["fileinto"];

# Large mail from outside with an attachment goes to review.
if allof (not address :domain :is "From" "example.com",
          size :over 5M {
    fileinto "Review";
    stop;
}
keep;
