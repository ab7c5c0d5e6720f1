# expect: missing-block, wrong-argument-type
# foreverypart needs a block, and its :name is a string.
require ["foreverypart"];

foreverypart :name "scan";
foreverypart :name 1 {
    keep;
}
