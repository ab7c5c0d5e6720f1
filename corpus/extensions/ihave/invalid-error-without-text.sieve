# expect: missing-argument
# error needs the message to report.
require ["ihave"];

if not ihave "fileinto" {
    error;
}
