# expect: missing-require
# Line 5: :seconds comes from "vacation-seconds", which is not required.
require "vacation";

vacation :seconds 3600 "The help desk will answer soon.";
