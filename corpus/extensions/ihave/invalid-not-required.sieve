# expect: missing-require
# ihave is itself an extension: "ihave" must be in require.
require ["fileinto"];

if ihave "imap4flags" {
    fileinto "Flagged";
} else {
    fileinto "Unflagged";
}
