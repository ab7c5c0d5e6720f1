# expect: wrong-argument-type
# Line 5: :days takes a number, not a string: :days 7.
require "vacation";

vacation :days "7" :subject "Away" "I am away this week.";
