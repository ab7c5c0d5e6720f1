# expect: bad-value
# Line 5: "return-path" is a header name; the envelope parts are "from" and "to".
require ["envelope", "fileinto"];

if envelope :domain :is "return-path" "lists.example.org" {
    fileinto "Lists";
}
