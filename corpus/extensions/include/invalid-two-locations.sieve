# expect: conflicting-tags
# A script is either the user's or a global one.
require ["include"];

include :personal :global "spam-rules";
