# errors: 1
# line 7: 'text:' multi-line string has no terminating '.' line (runs to end of file)
require ["vacation"];

vacation :days 7
         :subject "Away until Monday"
text:
Hello,

I am out of the office until Monday, 3 June. For urgent
matters please call the front desk on extension 100.

Kind regards,
Anna
;
keep;
