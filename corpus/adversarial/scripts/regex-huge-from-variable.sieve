# A pattern built at run time escapes the compile-time check: RE2 refuses it at
# max_regex_memory and the run fails cleanly.
require ["regex", "variables"];
set "p" "((a{1000}){1000}){1000}";
if header :regex "subject" "${p}" { discard; }
