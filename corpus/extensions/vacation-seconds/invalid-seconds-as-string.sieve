# expect: wrong-argument-type
# Line 5: :seconds takes a number of seconds: :seconds 1800, not "30m".
require ["vacation", "vacation-seconds"];

vacation :seconds "30m" "The help desk will answer soon.";
