# editheader-cleanup.sieve -- tidy up headers before delivery (RFC 5293).
require ["editheader", "variables", "index"];

# Remove the spam scanner headers of the upstream provider; ours are added
# after this script runs.
deleteheader "X-Spam-Status";
deleteheader :matches "X-Spam-*" "*";
deleteheader :contains "X-Mailer" ["Mass Mailer", "PHPMailer"];

# Remove only the last (oldest) X-Forwarded-For header, which leaks the
# sender's internal address.
deleteheader :index 1 :last "X-Forwarded-For";

# Tag mail from outside the company.
if not address :domain :is "From" ["example.com", "example.org"] {
    if header :matches "Subject" "*" {
        set "subject" "${1}";
        deleteheader "Subject";
        addheader "Subject" "[EXTERNAL] ${subject}";
    }
    addheader :last "X-External-Sender" "yes";
}

# Leave a trace of the filter run at the top of the header.
addheader "X-Sieve-Filtered" "editheader-cleanup v1.2";
