# filter-20.sieve -- a 20-rule personal filter of an engineer at example.com, used as the
# run-time benchmark (tools/bench_run.py) over generated mail. Valid for both Dovecot
# Pigeonhole and sieve. Rules that read the body sit on narrow branches, as in real filters.
require ["fileinto", "envelope", "imap4flags", "variables", "relational",
         "comparator-i;ascii-numeric", "body"];

set "me" "sam.taylor";
set "junk" "Junk";

# 1. Clear spam by the scanner's score.
if header :value "ge" :comparator "i;ascii-numeric" "X-Spam-Score" "8" {
    fileinto :flags "\\Seen" "${junk}";
    stop;
}

# 2. Mail the scanner never saw (no score header at all) is flagged for a second look.
if header :count "eq" :comparator "i;ascii-numeric" "X-Spam-Score" "0" {
    addflag "unscanned";
}

# 3. Middling scores from outside the company.
if allof (header :value "ge" :comparator "i;ascii-numeric" "X-Spam-Score" "5",
          not address :domain :is "From" ["example.com", "example.org"]) {
    fileinto "${junk}/Maybe";
    stop;
}

# 4. Too many hops is a sign of a mail loop or a relay abuse.
if header :count "gt" :comparator "i;ascii-numeric" "Received" "10" {
    fileinto "${junk}/Loops";
    stop;
}

# 5. Project lists on our own list server: one folder per list.
if header :matches "List-Id" "*<*.lists.example.org>" {
    set :lower "list" "${2}";
    fileinto "Lists/${list}";
    stop;
}

# 6. Any other list: file by the list's domain-less name.
if header :matches "List-Id" "*<*.*>" {
    set :lower "list" "${2}";
    fileinto "Lists/Other/${list}";
    stop;
}

# 7. Code review and CI mail, by the envelope sender's domain.
if envelope :domain :is "from" ["github.com", "gitlab.example.com"] {
    if header :contains "Subject" ["build failed", "pipeline failed"] {
        addflag "\\Flagged";
    }
    fileinto "Dev/CI";
    stop;
}

# 8. Mail sent to the billing alias, whatever the header says.
if envelope :all :is "to" "billing@example.com" {
    fileinto "Finance";
    stop;
}

# 9. Bank statements: only the bank's mail that really holds a statement.
if allof (address :domain :is "From" "bank.example.net",
          body :text :contains ["statement", "account summary"]) {
    fileinto :flags "\\Flagged" "Finance/Statements";
    stop;
}

# 10. Robots that never read replies.
if address :localpart :is "From" ["noreply", "no-reply", "donotreply", "mailer-daemon"] {
    addflag "automated";
    fileinto "Notifications";
    stop;
}

# 11. Issue tracker.
if header :contains "Subject" ["[JIRA]", "[Issue]", "[Ticket #"] {
    fileinto "Dev/Tickets";
    stop;
}

# 12. Calendar invitations, by subject or by content type.
if anyof (header :contains "Subject" ["Invitation:", "Updated invitation"],
          header :contains "Content-Type" "text/calendar") {
    fileinto "Calendar";
    stop;
}

# 13. Password resets: only when the body really talks about a reset.
if allof (header :contains "Subject" ["password", "security alert"],
          body :text :contains ["reset", "verification code"]) {
    addflag "\\Flagged";
    fileinto "Security";
    stop;
}

# 14. Internal mail from a department subdomain: one folder per department.
if address :domain :matches "From" "*.example.com" {
    set :lower "dept" "${1}";
    fileinto "Internal/${dept}";
    stop;
}

# 15. The team alias, in To or Cc.
if address :all :is ["To", "Cc"] "team@example.com" {
    fileinto "Team";
    stop;
}

# 16. Colleagues writing to me directly, marked urgent.
if allof (address :domain :is "From" "example.com",
          address :localpart :is "To" "${me}",
          header :contains "Subject" ["urgent", "outage", "asap"]) {
    addflag "\\Flagged";
}

# 17. Big mail gets a keyword so the mail client can hide its preview.
if size :over 30K {
    addflag "large";
}

# 18. Newsletters and offers from shops.
if anyof (header :contains "Subject" ["newsletter", "% off", "weekly digest"],
          header :is "Precedence" "bulk") {
    fileinto "Newsletters";
    stop;
}

# 19. Threads: replies from outside go to a folder named after the sender's domain.
if allof (header :matches "Subject" "Re: *",
          address :domain :matches "From" "*") {
    set :lower "domain" "${1}";
    fileinto "Threads/${domain}";
    stop;
}

# 20. Everything else stays in the inbox, with its flags.
keep;
