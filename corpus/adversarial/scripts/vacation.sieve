# One vacation reply; a second in the same run is an action conflict (RFC 5230 §4.7), so
# max_vacations is only reached when it is set below 2.
require "vacation";
vacation :handle "a" "I am away";
