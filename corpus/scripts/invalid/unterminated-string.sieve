# errors: 1
# line 12: unterminated quoted string (the closing '"' is missing, so the string runs to end of file)
require ["fileinto", "reject"];

if size :over 20M {
    fileinto "Large";
    stop;
}

# Spammer that keeps coming back with a new domain each week.
if header :matches "From" "*@*.example-offers.biz" {
    reject "We do not accept mail from your domain.;
}
keep;
