# user-filter.sieve -- Oracle Communications Messaging Server dialect.
# A user's personal filter as written by hand (the Convergence client
# writes the same constructs): parenthesised tests everywhere.
require ["fileinto", "variables", "vacation", "reject", "addheader",
         "jettison"];

# Spam that the system filter tagged goes to the Junk folder.
if (header :contains "Subject" "[SPAM]") {
    fileinto "Junk";
    stop;
}

# Project mail: keep the project code as a header for the client.
if (header :matches "Subject" "*[PRJ-*]*") {
    set "PROJECT" "${2}";
    addheader "X-Project: ${PROJECT}";
    fileinto "Projects";
}

# Newsletters I never read.
if (anyof (header :contains "List-Id" "deals.example.net",
           address :is "From" "promo@shop.example.org")) {
    jettison;
}

# Auto-reply while on leave, not to lists.
if (not exists "List-Id") {
    if (not header :contains "Precedence" ["bulk", "list"]) {
        vacation :days 3 :subject "Out of office"
            "I am out of the office until Monday and will reply then.";
    }
}
