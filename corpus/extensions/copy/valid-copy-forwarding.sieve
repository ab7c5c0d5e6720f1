# valid-copy-forwarding.sieve -- forward and archive copies while the message is
# still delivered to the inbox as usual.
require ["copy", "fileinto", "envelope"];

# The assistant gets a copy of everything from the board.
if address :domain :is "From" "board.example.com" {
    redirect :copy "assistant@example.com";
}

# Invoices are archived in a folder and also stay in the inbox.
if envelope :is "to" "billing@example.com" {
    fileinto :copy "Archive/Invoices";
}
