# Walks every MIME part and reads a header and the body of each one.
require ["foreverypart", "mime", "body"];
foreverypart {
    if header :mime :type :contains "content-type" "zzz" { discard; }
}
if body :text :contains "needle-not-there" { discard; }
