# expect: conflicting-tags, missing-require
# :type and :subtype cannot be combined (:contenttype reads both), and fileinto is
# used without requiring "fileinto".
require ["mime"];

if header :mime :type :subtype "Content-Type" "text/html" {
    fileinto "HTML";
}
