# filter-200.sieve -- the complete personal filter of a busy engineer at
# example.com, grown over several years. Used as the parse benchmark.
# Only constructs understood by both Dovecot Pigeonhole and sievelib.
require ["fileinto", "envelope", "imap4flags", "variables", "vacation",
         "body", "copy", "mailbox", "relational", "date", "reject"];

/* ------------------------------------------------------------------
   0. Globals used further down
   ------------------------------------------------------------------ */
set "junk" "Junk";
set "lists" "Lists";
set "me" "sam.taylor@example.com";

if header :matches "Subject" "*" {
    set "subject" "${1}";
}
if address :all :matches "From" "*" {
    set "from" "${1}";
}

/* ------------------------------------------------------------------
   1. Spam and junk
   ------------------------------------------------------------------ */
if header :is "X-Spam-Flag" "YES" {
    if header :contains "X-Spam-Level" "**********" {
        discard;
        stop;
    }
    fileinto :flags "\\Seen" "${junk}";
    stop;
} elsif header :contains "X-Spam-Level" "*****" {
    fileinto "${junk}/Maybe";
    stop;
} elsif anyof (header :contains "Subject" ["viagra", "lottery", "casino",
                                           "bitcoin doubler", "weight loss"],
               header :matches "From" ["*@*.top", "*@*.xyz", "*@*.click"]) {
    fileinto "${junk}";
    stop;
}

# Senders I never want to hear from again.
if address :is "From" ["promo@shop.example.org", "deals@travel.example.net",
                       "news@casino.example.biz"] {
    discard;
    stop;
}

# Bounces of mail I never sent (backscatter).
if allof (envelope :is "from" "",
          not body :text :contains "sam.taylor@example.com") {
    fileinto "${junk}/Backscatter";
    stop;
}

/* ------------------------------------------------------------------
   2. People who matter
   ------------------------------------------------------------------ */
if address :is "From" ["ceo@example.com", "cto@example.com"] {
    addflag "\\Flagged";
    keep;
    stop;
}

if address :domain :is "From" "family.example.net" {
    fileinto :flags "$Family" "Family";
    stop;
}

if address :is ["From", "Sender"] ["partner@example.org", "kids-school@example.edu"] {
    setflag "\\Flagged";
    fileinto "Family";
    stop;
}

/* ------------------------------------------------------------------
   3. Mailing lists
   ------------------------------------------------------------------ */
if header :contains "List-Id" "dev.lists.example.com" {
    fileinto "${lists}/dev";
    stop;
} elsif header :contains "List-Id" "ops.lists.example.com" {
    if header :contains "Subject" ["[outage]", "[incident]"] {
        addflag "\\Flagged";
    }
    fileinto "${lists}/ops";
    stop;
} elsif header :contains "List-Id" ["security.lists.example.com",
                                    "oss-security.example.org"] {
    fileinto "${lists}/security";
    stop;
} elsif header :contains "List-Id" "python-dev.example.org" {
    fileinto "${lists}/python-dev";
    stop;
} elsif header :contains "List-Id" "debian-user.lists.example.org" {
    fileinto :flags "\\Seen" "${lists}/debian-user";
    stop;
} elsif header :contains "List-Id" ["rust-users.example.org",
                                    "golang-nuts.example.org"] {
    fileinto "${lists}/languages";
    stop;
} elsif header :matches "List-Id" "*<*.*>*" {
    set "listname" "${2}";
    fileinto :create "${lists}/other/${listname}";
    stop;
} elsif exists "X-BeenThere" {
    fileinto "${lists}/unsorted";
    stop;
}

/* ------------------------------------------------------------------
   4. Work systems
   ------------------------------------------------------------------ */
if address :domain :is "From" ["github.example.com", "gitlab.example.com"] {
    if header :contains "Subject" ["review requested", "mentioned you"] {
        addflag "\\Flagged";
        fileinto "Code/Reviews";
    } elsif header :contains "Subject" ["Pipeline failed", "Build failed"] {
        fileinto "Code/CI-Failures";
    } elsif header :contains "Subject" ["Pipeline succeeded", "Build fixed"] {
        fileinto :flags "\\Seen" "Code/CI";
    } else {
        fileinto "Code";
    }
    stop;
}

if header :matches "Subject" "[JIRA] (*-*) *" {
    set "project" "${1}";
    fileinto :create "Tickets/${project}";
    stop;
}

if address :localpart :is "From" ["nagios", "zabbix", "prometheus",
                                  "alertmanager", "grafana"] {
    if header :contains "Subject" ["CRITICAL", "FIRING"] {
        redirect :copy "oncall@example.com";
        addflag "\\Flagged";
        fileinto "Alerts/Critical";
    } elsif header :contains "Subject" ["RESOLVED", "OK"] {
        fileinto :flags "\\Seen" "Alerts/Resolved";
    } else {
        fileinto "Alerts";
    }
    stop;
}

if header :contains "Subject" ["Cron <root@", "Cron <backup@"] {
    if body :text :contains ["error", "failed", "No space left"] {
        fileinto "Cron/Errors";
    } else {
        fileinto :flags "\\Seen" "Cron";
    }
    stop;
}

/* ------------------------------------------------------------------
   5. Shopping, travel, money
   ------------------------------------------------------------------ */
if anyof (header :contains "Subject" ["order confirmation", "your order",
                                      "shipping confirmation", "delivered"],
          address :localpart :is "From" ["orders", "order-update", "shipment"]) {
    fileinto "Shopping";
    stop;
}

if address :domain :is "From" ["bank.example.net", "cards.example.net"] {
    redirect :copy "accountant@example.org";
    fileinto "Finance";
    stop;
}

if header :contains "Subject" ["boarding pass", "booking confirmation",
                               "itinerary", "e-ticket"] {
    addflag "$Travel";
    fileinto "Travel";
    stop;
}

/* ------------------------------------------------------------------
   6. Size, age and odd mail
   ------------------------------------------------------------------ */
if size :over 20M {
    fileinto "Large";
    stop;
}
if size :under 200 {
    fileinto "Tiny";
    stop;
}
if header :count "ge" "Received" "30" {
    fileinto "Loops";
    stop;
}
if date :value "lt" "date" "year" "2015" {
    fileinto "Old";
    stop;
}
if not exists ["From", "Date", "Message-ID"] {
    fileinto "${junk}/Malformed";
    stop;
}

/* ------------------------------------------------------------------
   7. Everything addressed to me personally: vacation while away
   ------------------------------------------------------------------ */
if allof (address :is ["To", "Cc"] "${me}",
          not exists ["List-Id", "List-Unsubscribe"],
          not header :contains "Precedence" ["bulk", "list", "junk"],
          currentdate :value "ge" "date" "2024-08-05",
          currentdate :value "le" "date" "2024-08-23") {
    vacation :days 7
             :subject "Away: ${subject}"
             :from "sam.taylor@example.com"
             :addresses ["sam.taylor@example.com", "staylor@example.com"]
             :handle "summer-2024"
text:
Hi,

I am on holiday until 23 August with no access to mail.
For anything urgent please contact my team at team-infra@example.com.

Sam
.
;
}

if hasflag :contains "\\Flagged" {
    keep;
    stop;
}
keep;
