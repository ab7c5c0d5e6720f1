# expect: wrong-argument-type, conflicting-tags
# :first takes a number; :lower and :upper exclude each other.
require ["extracttext", "foreverypart", "variables"];

foreverypart {
    extracttext :first "500" "preview";
    extracttext :lower :upper "summary";
}
