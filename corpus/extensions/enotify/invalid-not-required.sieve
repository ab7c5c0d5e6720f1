# expect: missing-require
# "enotify" is missing from require: notify and set's :encodeurl both need it (one
# require fixes both, so it is one mistake).
require ["variables"];

if header :matches "Subject" "*" {
    set :encodeurl "subject_uri" "${1}";
}
notify :message "New mail" "mailto:alm@example.com?subject=${subject_uri}";
