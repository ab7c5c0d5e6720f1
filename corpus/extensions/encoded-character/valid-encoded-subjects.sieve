# valid-encoded-subjects.sieve -- match characters that are awkward to type or to
# keep intact in a plain ASCII file.
require ["encoded-character", "fileinto"];

# "$$$" in the subject: the dollar signs are given as hex octets.
if header :contains "Subject" "${hex:24 24 24}" {
    fileinto "Junk";
    stop;
}

# "Grüße" and the euro sign, as Unicode code points.
if header :contains "Subject" ["Gr${unicode:fc}${unicode:df}e", "${unicode:20AC}"] {
    fileinto "Family";
}

# A tab inside a header value (HT = 09).
if header :contains "X-Mailer" "${hex:09}" {
    fileinto "Odd";
}
