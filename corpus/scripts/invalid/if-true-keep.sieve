# errors: 1
# line 7: missing ';' after keep inside the one-line block 'if true { keep }'
require ["fileinto"];

# Debug switch left in by the admin: always keep a copy.
if false { discard; }
if true { keep }

if header :is "X-Spam-Flag" "YES" {
    fileinto "Junk";
}
