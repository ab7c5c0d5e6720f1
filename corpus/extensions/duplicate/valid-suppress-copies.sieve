# Drop copies of a message that arrive through several lists, and notifications of the
# same event within a day; keep the last digest of the hour.
require ["duplicate", "variables", "fileinto"];

if duplicate {
    discard;
    stop;
}

if header :matches "X-Event-ID" "*" {
    if duplicate :handle "alerts" :uniqueid "${1}" :seconds 86400 {
        discard;
        stop;
    }
}

if duplicate :handle "digest" :header "List-Id" :seconds 3600 :last {
    fileinto "Digests";
}
