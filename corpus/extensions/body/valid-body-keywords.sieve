# valid-body-keywords.sieve -- look inside the message body: decoded text parts,
# HTML parts only, and the raw encoded body.
require ["body", "fileinto"];

# Unsubscribe links in the text (the :text transform is the default one).
if body :text :contains ["unsubscribe", "opt out"] {
    fileinto "Bulk";
    stop;
}

# Invoices as HTML, for any text/html part.
if body :content "text/html" :comparator "i;ascii-casemap" :matches "*invoice no*" {
    fileinto "Invoices";
    stop;
}

# A base64-encoded attachment named like an executable shows up in the raw body.
if body :raw :contains "filename=\"invoice.exe\"" {
    discard;
    stop;
}

if body :content ["text/plain", "message"] :is "" {
    fileinto "Empty";
}
