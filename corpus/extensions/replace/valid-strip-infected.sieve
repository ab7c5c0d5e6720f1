# An infected message is delivered as a notice instead of its original content.
require ["replace", "virustest", "relational", "comparator-i;ascii-numeric"];

if virustest :value "ge" :comparator "i;ascii-numeric" "4" {
    replace :mime
            :subject "[virus removed] a message was withheld"
            :from "postmaster@example.com"
            text:
Content-Type: text/plain; charset=utf-8

A message for you contained a virus and was not delivered.
Ask postmaster@example.com if you need it.
.
;
}
