# expect: missing-require
# The script files mail but never requires "fileinto" (line 5).

if header :contains "List-Id" "<announce.example.net>" {
    fileinto "Lists/Announce";
}
