# Behave differently during delivery and when a user re-runs filters on stored mail,
# and trust mail relayed by our own network.
require ["environment", "variables", "fileinto"];

if environment :matches "domain" "*" {
    set "mydomain" "${1}";
}

if environment :is "phase" "post" {
    # Re-filtering stored mail: never send anything out.
    stop;
}

if environment :comparator "i;ascii-casemap" :contains "remote-host" ".${mydomain}" {
    fileinto "Internal";
}
