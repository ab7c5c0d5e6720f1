# expect: unknown-tag
# Line 7: :copy applies to fileinto and redirect; keep already keeps the message.
require ["copy", "fileinto"];

if header :contains "Subject" "invoice" {
    fileinto :copy "Invoices";
    keep :copy;
}
