# expect: conflicting-tags, unknown-tag
# Line 6: :raw and :text are both body transforms; only one may be given.
# Line 9: body has no address parts; :domain belongs to address and envelope.
require ["body", "fileinto"];

if body :raw :text :contains "unsubscribe" {
    fileinto "Bulk";
}
if body :domain :contains "tracking.example.net" {
    fileinto "Tracked";
}
