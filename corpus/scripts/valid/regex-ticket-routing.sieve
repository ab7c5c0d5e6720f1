# regex-ticket-routing.sieve -- route ticket and build mails with
# regular expressions (draft-ietf-sieve-regex).
require ["regex", "variables", "fileinto", "mailbox", "body"];

# "[JIRA] (OPS-1234) Disk full on db01" -> Tickets/OPS
if header :regex "Subject" "^\\[JIRA\\] \\(([A-Z]+)-([0-9]+)\\)" {
    set "project" "${1}";
    set "number" "${2}";
    fileinto :create "Tickets/${project}";
    stop;
}

# CI results: "Build #512 failed on branch main"
if header :regex :comparator "i;ascii-casemap" "Subject"
        "build #[0-9]+ (failed|broken|errored)" {
    fileinto :create "CI/Failures";
    stop;
}
elsif header :regex "Subject" "Build #[0-9]+ (passed|fixed)" {
    discard;
    stop;
}

# Sender addresses that are a random string at a numeric domain.
if address :regex :localpart "From" "^[a-z0-9]{16,}$" {
    if address :regex :domain "From" "^[0-9]+\\.[a-z]{2,3}$" {
        fileinto "Junk";
        stop;
    }
}

# Bounce messages: pick the failed recipient out of the report.
if header :regex "Subject" "^(Undeliverable|Undelivered Mail Returned)" {
    if body :text :regex "<([^>@]+@[^>]+)>: (host|user) .*unknown" {
        set "failed" "${1}";
        fileinto :create "Bounces/${failed}";
        stop;
    }
}
