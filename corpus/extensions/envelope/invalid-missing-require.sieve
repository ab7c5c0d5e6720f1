# expect: missing-require
# Line 5: envelope is used, but only "fileinto" is required.
require "fileinto";

if envelope :is "to" "sales@example.com" {
    fileinto "Sales";
}
