# expect: missing-require
# The :list match type and redirect :list both need "extlists" (one require fixes both).
require ["fileinto"];

if header :list "From" ":addrbook:personal" {
    redirect :list "tag:example.com,2024-01-01:family";
}
