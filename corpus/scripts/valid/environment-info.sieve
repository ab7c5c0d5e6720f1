# environment-info.sieve -- behave differently depending on where and when
# the script runs (RFC 5183 environment extension).
require ["environment", "variables", "fileinto", "editheader"];

# Record which host and software handled the message.
if environment :matches "host" "*" {
    set "host" "${1}";
}
if environment :matches "name" "*" {
    set "impl" "${1}";
}
addheader "X-Filtered-By" "${impl} on ${host}";

# Scripts run at delivery time ("MDA") may file; at the MTA only tag.
if environment :is "location" "MDA" {
    if header :is "X-Spam-Flag" "YES" {
        fileinto "Junk";
    }
} elsif environment :is "location" "MTA" {
    if header :is "X-Spam-Flag" "YES" {
        addheader "X-Junk-Candidate" "yes";
    }
}

# Mail that came in through the internal relay is trusted.
if environment :matches "remote-ip" ["10.*", "192.168.*"] {
    addheader "X-Internal-Relay" "yes";
}

# During post-delivery ("post") phase nothing needs to be redone.
if environment :is "phase" "post" {
    stop;
}
