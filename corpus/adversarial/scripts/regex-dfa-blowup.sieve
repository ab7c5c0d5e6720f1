# RE2 is linear in the text, but not in the pattern: with leftmost-longest matching,
# ".{1000}x" exhausts RE2's DFA cache on a long value and falls back to the NFA, which costs
# text length x program size (7,005 instructions here: "." is a UTF-8 automaton).
require "regex";
if header :regex "subject" ".{1000}x" { discard; }
