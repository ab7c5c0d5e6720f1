# expect: wrong-argument-type, duplicate-tag
# :seconds takes a number, and :handle is given twice.
require ["duplicate"];

if duplicate :seconds "3600" {
    discard;
}
if duplicate :handle "a" :handle "b" {
    discard;
}
