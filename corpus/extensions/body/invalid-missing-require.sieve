# expect: missing-require
# Line 5: body is used, but only "fileinto" is required.
require "fileinto";

if body :contains "unsubscribe" {
    fileinto "Bulk";
}
