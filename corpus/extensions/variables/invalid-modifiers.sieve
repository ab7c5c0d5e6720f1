# expect: conflicting-tags, missing-argument
# Line 8: :lowerfirst and :upperfirst have the same precedence (RFC 5229 §4.1); the
# author meant :lower :upperfirst ("Dev-team").
# Line 9: set without its value.
require ["variables", "fileinto"];

if header :matches "List-Id" "*<*.*>*" {
    set :lowerfirst :upperfirst "list" "${2}";
    set "folder";
    fileinto "Lists/${list}";
}
