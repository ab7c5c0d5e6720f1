# expect: missing-require
# :regex needs "regex" in require.
require ["fileinto"];

if header :regex "Subject" "^\\[(ops|infra)\\]" {
    fileinto "Operations";
}
