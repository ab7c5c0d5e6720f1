# expect: missing-dependency
# extracttext stores into a variable, so "variables" must be required too.
require ["extracttext", "foreverypart"];

foreverypart {
    extracttext "preview";
}
