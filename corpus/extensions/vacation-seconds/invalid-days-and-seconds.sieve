# expect: conflicting-tags
# Line 5: :days and :seconds both set the period; give only one (RFC 6131 §2).
require ["vacation", "vacation-seconds"];

vacation :days 1 :seconds 1800 "The help desk will answer soon.";
