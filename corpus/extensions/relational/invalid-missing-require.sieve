# expect: missing-require
# Line 5: :count comes from "relational", which is not required.
require ["comparator-i;ascii-numeric", "fileinto"];

if address :count "ge" :comparator "i;ascii-numeric" "To" "10" {
    fileinto "Bulk";
}
