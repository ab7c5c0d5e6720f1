# Outside office hours (Berlin time) mail from customers goes to a folder that the
# stand-by team reads; weekend mail is marked by the date it was sent.
require ["date", "relational", "comparator-i;ascii-numeric", "variables", "fileinto"];

if currentdate :matches "iso8601" "*" {
    set "checked_at" "${1}";
}

if anyof (currentdate :zone "+0100" :value "lt" :comparator "i;ascii-numeric" "hour" "08",
          currentdate :zone "+0100" :value "ge" :comparator "i;ascii-numeric" "hour" "18") {
    fileinto "Standby";
}

# "0" is Sunday and "6" is Saturday, in the zone the sender wrote the Date field in.
if date :originalzone :is "date" "weekday" ["0", "6"] {
    fileinto "Weekend";
}

if date :zone "+0000" :matches "received" "date" "*-12-2?" {
    fileinto "Holidays";
}
