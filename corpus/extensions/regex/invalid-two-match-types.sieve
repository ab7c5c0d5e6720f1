# expect: conflicting-tags
# :regex is a match type like :matches: a test takes only one.
require ["regex", "fileinto"];

if header :matches :regex "Subject" "^\\[JIRA\\] .*" {
    fileinto "Jira";
}
