# expect: missing-require
# enclose needs "enclose" in require.
require ["spamtest"];

if spamtest "10" {
    enclose :subject "Held for review" "This message is attached unchanged.";
}
