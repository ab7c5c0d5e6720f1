# expect: bad-variable-name
# Line 6: variable names are identifiers (letters, digits, "_"); "list-id" has a hyphen.
require ["variables", "fileinto"];

if header :matches "List-Id" "*<*>*" {
    set "list-id" "${2}";
    fileinto "Lists/${2}";
}
