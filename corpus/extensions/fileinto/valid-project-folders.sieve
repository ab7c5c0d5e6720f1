# valid-project-folders.sieve -- file project and list mail into folders.
require "fileinto";

if header :contains "List-Id" "<builds.ci.example.com>" {
    fileinto "Lists/CI";
    stop;
}

if address :domain :is "From" "customer.example.org" {
    fileinto "Projects/Customer A";
} elsif header :matches "Subject" "[JIRA] *" {
    fileinto "Projects/Tickets";
}
