# expect: conflicting-tags
# :zone and :originalzone exclude each other.
require ["date", "fileinto"];

if date :zone "+0100" :originalzone :is "date" "hour" "03" {
    fileinto "Night";
}
