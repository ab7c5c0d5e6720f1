# expect: too-many-arguments
# Line 6: body searches the body; it takes no header name (that is the header test).
require ["body", "fileinto"];

# Meant: the body contains "free money".
if body :contains "Subject" "free money" {
    fileinto "Junk";
}
