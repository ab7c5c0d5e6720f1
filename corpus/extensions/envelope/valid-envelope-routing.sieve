# valid-envelope-routing.sieve -- sort by the SMTP envelope, not the From/To headers.
require ["envelope", "fileinto"];

# Bounces come with an empty envelope sender.
if envelope :all :is "from" "" {
    fileinto "Bounces";
    stop;
}

# Mail delivered through the alias rather than to the personal address.
if envelope :comparator "i;ascii-casemap" :localpart :is "to" "webmaster" {
    fileinto "Web";
} elsif envelope :domain :contains ["From", "To"] "partner.example.org" {
    fileinto "Partners";
} elsif envelope :matches "from" "*@*.mailchimp.example" {
    fileinto "Newsletters";
}
