# expect: unknown-capability, unknown-command
# An Oracle filter uploaded to a standard Sieve server: "jettison" is no standard
# capability and the command is unknown there.
require ["jettison"];

if header :is "X-Virus-Status" "infected" {
    jettison;
}
