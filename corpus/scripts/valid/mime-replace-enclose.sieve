# mime-replace-enclose.sieve -- defang suspicious mail before delivery
# (RFC 5703: replace and enclose).
require ["replace", "enclose", "mime", "variables", "spamtest",
         "relational", "comparator-i;ascii-numeric"];

# Mail carrying an executable is replaced by a short explanation; the
# original stays in the quarantine of the gateway.
if header :mime :anychild :param "filename" :matches "Content-Disposition"
        ["*.exe", "*.scr", "*.pif"] {
    if header :matches "Subject" "*" { set "subject" "${1}"; }
    replace :subject "[removed] ${subject}"
            :from "postmaster@example.com"
            text:
This message contained an executable attachment and was removed
by the mail gateway. Ask the postmaster if you need the original.
.
;
    stop;
}

# Likely spam is wrapped so that users see a warning first and the
# original message as an attachment.
if spamtest :value "ge" :comparator "i;ascii-numeric" "6" {
    enclose :subject "Suspected spam (original attached)"
            :headers ["From", "Subject", "Date"]
            "The attached message was classified as probable spam.
Open it only if you expected it.";
}

# A MIME replacement for newsletters that are too big for phones.
if size :over 3M {
    replace :mime text:
Content-Type: text/plain; charset=us-ascii

A large message (over 3 MB) was received and replaced by this notice.
.
;
}
