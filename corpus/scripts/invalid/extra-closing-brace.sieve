# errors: 1
# line 16: extra '}' with no open block (the if on line 10 was already closed on line 15)
require ["fileinto", "imap4flags"];

if header :contains "From" "boss@example.com" {
    addflag "\\Flagged";
    keep;
}

if header :contains "Subject" ["[JIRA]", "[Confluence]"] {
    if header :contains "Subject" "assigned to you" {
        addflag "\\Flagged";
    }
    fileinto "Atlassian";
}
}
