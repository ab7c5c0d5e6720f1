# expect: wrong-argument-type
# :index takes a number, not a quoted string.
require ["index", "fileinto"];

if header :index "1" :contains "Received" "mx1.example.com" {
    fileinto "Direct";
}
