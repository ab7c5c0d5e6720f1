# errors: 2
# line 9: missing ';' after stop (a '}' follows on line 10); line 21: missing ';' after redirect (a '}' follows on line 22)
require ["fileinto", "copy"];

# Mailing lists first.
if exists "List-Id" {
    if header :contains "List-Id" "announce" {
        fileinto "Lists/Announce";
        stop
    }
    fileinto "Lists";
    stop;
}

# Copy mail from the accountant to the shared finance mailbox.
if address :domain :is "From" "tax.example.org" {
    fileinto "Finance";
}
if header :contains "Subject" "statement" {
    fileinto "Finance/Statements";
    redirect :copy "finance-team@example.com"
}
keep;
