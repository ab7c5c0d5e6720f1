# expect: too-many-arguments
# dialect: oracle
# jettison takes no arguments; a reason belongs in reject or ereject.
require ["jettison"];

if (header :is "X-Virus-Status" "infected") {
    jettison "virus found";
}
