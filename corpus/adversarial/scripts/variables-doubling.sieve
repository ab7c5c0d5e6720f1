# Each line doubles the variable: 2^40 characters if nothing stopped it. RFC 5229 §4
# lets us truncate at max_variable_size, so memory stays flat.
require "variables";
set "a" "0123456789";
set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}";
set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}";
set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}";
set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}";
set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}";
set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}";
set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}";
set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}";
set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}";
set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}"; set "a" "${a}${a}";
if string :is "${a}" "" { discard; }
