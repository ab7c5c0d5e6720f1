# errors: 1
# line 8: number with an invalid quantifier '10X' (only K, M and G are allowed); note: a lexer that splits it into 10 and the identifier X, as Pigeonhole does, fails only in validation
require ["fileinto"];

# Reject-free size policy: very big mail is filed, not bounced.
# The admin meant to type 10M.

if size :over 10X {
    fileinto "Huge";
    stop;
}
keep;
