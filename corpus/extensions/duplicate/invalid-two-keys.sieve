# expect: conflicting-tags
# :header and :uniqueid both name what identifies the message: only one may be given.
require ["duplicate"];

if duplicate :header "Message-ID" :uniqueid "fixed" {
    discard;
}
