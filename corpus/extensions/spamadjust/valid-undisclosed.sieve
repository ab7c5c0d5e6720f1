# dialect: oracle
# System filter: raise the spam score of mail to undisclosed recipients, lower it for
# mail from our partner's relay. User filters then test the score with spamtest.
require ["spamtest", "spamadjust"];

if (header :contains ["To", "Cc", "Resent-To", "Resent-Cc"]
        ["<undisclosed recipients>", "undisclosed.recipients"]) {
    spamadjust "+5 undisclosed recipients";
}
if (header :contains "Received" "from relay.partner.example") {
    spamadjust "-3 partner relay";
}
