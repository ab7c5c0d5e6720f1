# Files spam into Junk, copies the boss's mail to a mobile address and
# refuses one kind of newsletter.
require ["fileinto", "reject"];

if header :contains "Subject" "viagra" {
    fileinto "Junk";
    stop;
}
if address :is "From" "boss@example.com" {
    redirect "bob@mobile.example.net";
    keep;
    stop;
}
if header :contains "Subject" "unsubscribe" {
    reject "I never subscribed to this list.";
}
