# expect: missing-require
# dialect: oracle
# addheader needs "addheader" in require.
require ["spamtest"];

if (spamtest "10") {
    addheader "X-Spam-Flag: YES";
}
