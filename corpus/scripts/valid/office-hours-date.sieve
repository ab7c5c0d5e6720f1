# office-hours-date.sieve -- act on message and current dates (RFC 5260
# date and index extensions).
require ["date", "index", "relational", "fileinto", "variables", "imap4flags"];

# Weekend mail from the office goes to a separate folder (0 = Sunday).
if currentdate :zone "+0100" :is "weekday" ["0", "6"] {
    if address :domain :is "From" "example.com" {
        fileinto "Weekend";
        stop;
    }
}

# Messages whose Date header is before 2020 are resent old mail or spam.
if date :value "lt" :originalzone "date" "year" "2020" {
    fileinto "Old";
    stop;
}

# The first (most recent) Received header tells when our MX got it.
if date :zone "-0500" :index 1 :value "ge" "received" "hour" "22" {
    addflag "$LateNight";
}

# The last (oldest) Received header: where did the mail start?
if header :index 1 :last :contains "Received" "from localhost" {
    addflag "$LocalOrigin";
}

# Keep a month folder for the archive: Archive/2024-07
if currentdate :matches "std11" "*" {
    set "now" "${1}";
}
if currentdate :matches "year" "*" { set "year" "${1}"; }
if currentdate :matches "month" "*" { set "month" "${1}"; }
if header :contains "X-Archive" "yes" {
    fileinto "Archive/${year}-${month}";
}

# During the end-of-year freeze nothing from the deploy bot is kept.
if allof (currentdate :value "ge" "date" "2024-12-20",
          currentdate :value "le" "date" "2025-01-06") {
    if address :is "From" "deploy-bot@example.com" {
        discard;
    }
}
