# expect: bad-header-name, unknown-tag
# The header name is written with its colon, and currentdate has no original zone.
require ["date", "fileinto"];

if date :is "Date:" "year" "2019" {
    fileinto "Old";
}
if currentdate :originalzone :is "weekday" "1" {
    fileinto "Monday";
}
