# The topmost Received field is the one our own MX wrote: take the relay address from
# it. The last From field and the date of the oldest Received field are checked too.
require ["index", "date", "variables", "fileinto"];

if header :index 1 :matches "Received" "from * (*[*])*" {
    set "relay" "${3}";
}

if address :index 1 :last :domain :is "From" "example.com" {
    fileinto "Internal";
}

if date :index 1 :last :zone "+0000" :is "Received" "year" "2019" {
    fileinto "Resent-Old";
}
