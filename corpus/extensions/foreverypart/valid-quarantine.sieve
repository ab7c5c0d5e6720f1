# Look at every part; quarantine the message at the first dangerous attachment, and
# stop looking inside a nested message once it is found to be signed.
require ["foreverypart", "mime", "fileinto"];

foreverypart :name "scan" {
    if header :mime :param "filename" :matches "Content-Disposition" ["*.exe", "*.scr"] {
        fileinto "Quarantine";
        break :name "scan";
    }
    if header :mime :contenttype "Content-Type" "message/rfc822" {
        foreverypart {
            if header :mime :subtype "Content-Type" "pkcs7-signature" {
                break;
            }
        }
    }
}
