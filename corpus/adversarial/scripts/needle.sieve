# Reads headers, addresses and bodies of a broken message; "needle" is in several of them.
require ["body", "foreverypart", "mime", "fileinto"];
if header :contains ["subject", "x-broken", "to", "from"] "needle" { fileinto "Found"; }
if address :all :contains ["to", "from"] "example" { fileinto "Addressed"; }
if body :text :contains "needle" { fileinto "Body"; }
foreverypart {
    if header :mime :param "charset" :contains "content-type" "x" { fileinto "Charset"; }
}
