# expect: missing-argument
# The verdict to compare with was left out.
require ["virustest", "relational", "comparator-i;ascii-numeric"];

if virustest :value "ge" :comparator "i;ascii-numeric" {
    discard;
}
