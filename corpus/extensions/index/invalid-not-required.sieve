# expect: missing-require
# :index needs "index" in require.
require ["fileinto"];

if address :index 2 :domain :is "Received" "example.net" {
    fileinto "Relayed";
}
