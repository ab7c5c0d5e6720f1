# expect: bad-value
# "weekend" is not a date part; the test wants "weekday" with ["0", "6"].
require ["date", "fileinto"];

if date :is "date" "weekend" "yes" {
    fileinto "Weekend";
}
