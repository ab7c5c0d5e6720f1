# errors: 1
# line 7: the block opened with '{' here is never closed (its '}' after line 14 was lost; detected at end of file)
require ["fileinto", "variables"];

# Sort by list name. The closing brace of the outer if was lost
# when this script was edited in a web form.
if header :matches "List-Id" "*<*.*>*" {
    set :lower "list" "${2}";
    if string :is "${list}" "debian-security" {
        fileinto "Security";
        stop;
    }
    fileinto "Lists/${list}";
    stop;

if header :is "X-Spam-Flag" "YES" {
    fileinto "Junk";
}
keep;
