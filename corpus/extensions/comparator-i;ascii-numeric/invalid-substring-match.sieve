# expect: comparator-match-type
# RFC 4790 §9.1: i;ascii-numeric compares whole numbers; it has no substring operation,
# so it cannot serve :contains or :matches.
require ["comparator-i;ascii-numeric", "fileinto"];

if header :contains :comparator "i;ascii-numeric" "X-Spam-Score" "5" {
    fileinto "Junk";
}
