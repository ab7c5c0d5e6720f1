# expect: duplicate-tag, missing-argument
# Line 7: :subject is given twice.
# Line 9: the reason (the reply text) is missing.
require "vacation";

if header :contains "To" "sales@example.com" {
    vacation :subject "Away" :days 3 :subject "Out of office" "I am away this week.";
} else {
    vacation :days 3 :subject "Out of office" :addresses ["ann@example.com"];
}
