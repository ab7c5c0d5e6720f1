# encoded-character.sieve -- match characters that are awkward to type
# in a script file by writing them as ${hex:...} and ${unicode:...}.
require ["encoded-character", "fileinto"];

# "Hi" spelled as hex bytes, a typical test subject of a mail checker.
if header :is "Subject" "${hex:48 69}" {
    discard;
    stop;
}

# Subjects starting with a heart (U+2764) or a red circle (U+1F534)
# are newsletter marketing.
if header :matches "Subject" ["${unicode:2764}*", "${unicode:1F534}*"] {
    fileinto "Newsletters";
    stop;
}

# Tab-separated machine reports: a literal TAB is ${hex:09}.
if header :contains "X-Report-Fields" "host${hex:09}status" {
    fileinto "Reports";
}

# Non-breaking space (U+00A0) in the subject is a common spam trick.
if header :contains "Subject" "FREE${unicode:00A0}OFFER" {
    fileinto "Junk";
}
