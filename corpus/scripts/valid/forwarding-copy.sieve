# forwarding-copy.sieve -- forward selected mail while keeping a copy.
require ["copy", "fileinto", "envelope"];

# Everything from the bank goes to the accountant too.
if address :domain :is "From" ["bank.example.net", "payments.example.net"] {
    redirect :copy "accountant@example.org";
    fileinto "Finance";
    stop;
}

# Copy every invoice to the archive folder, but continue filtering.
if header :contains "Subject" ["Invoice", "Rechnung", "Facture"] {
    fileinto :copy "Archive/Invoices";
}

# While the partner is on parental leave, her mail is also sent to
# her deputy; she keeps her own copy.
if envelope :is "to" "maria@example.com" {
    redirect :copy "deputy@example.com";
}

# Everything else is mirrored to the phone's mailbox.
redirect :copy "me.mobile@example.net";
keep;
