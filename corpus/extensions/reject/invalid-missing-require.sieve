# expect: missing-require
# Line 6: reject is used, but only "fileinto" is required.
require "fileinto";

if size :over 50M {
    reject "Message too large.";
} else {
    fileinto "INBOX.Checked";
}
