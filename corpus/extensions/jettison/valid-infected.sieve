# dialect: oracle
# System filter: destroy infected mail so that no user filter can keep it
# (a system-level discard could be undone by a user's keep).
require ["jettison", "virustest", "relational", "comparator-i;ascii-numeric"];

if (virustest :value "eq" :comparator "i;ascii-numeric" "5") {
    jettison;
}
