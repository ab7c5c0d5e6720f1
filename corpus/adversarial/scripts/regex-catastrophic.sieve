# Classic catastrophic-backtracking regexes (nested and overlapping quantifiers) on a
# long near-match: RE2 runs them in linear time.
require ["regex", "body"];
if header :regex "subject" ["^(a+)+$", "^(a|aa)+$", "^(a|a?)+b$", "(.*a){20}"] {
    discard;
}
if body :raw :regex "^(a+)+$" {
    discard;
}
