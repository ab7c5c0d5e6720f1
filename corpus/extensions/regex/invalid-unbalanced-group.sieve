# expect: bad-regex
# The group opened before [0-9]+ is never closed.
require ["regex", "fileinto"];

if header :regex "Subject" "^Invoice ([0-9]+" {
    fileinto "Invoices";
}
