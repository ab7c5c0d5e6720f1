# Files list mail: announcements into a folder made on demand, the rest
# into "Lists", which must exist already.
require ["fileinto", "mailbox"];

if header :contains "List-Id" "announce" {
    fileinto :create "Lists/Announce";
} elsif exists "List-Id" {
    fileinto "Lists";
}
