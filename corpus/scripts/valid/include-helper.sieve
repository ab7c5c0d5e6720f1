# include-helper.sieve -- included from include-main.sieve; reads the
# folder names from global variables and leaves early with "return".
require ["include", "variables", "fileinto", "mailbox"];

global ["junk_folder", "lists_prefix", "handled"];

if header :is "X-Spam-Flag" "YES" {
    fileinto "${junk_folder}";
    set "handled" "yes";
    return;
}

if header :matches "List-Id" "*<*.*>*" {
    set :lower "list" "${2}";
    fileinto :create "${lists_prefix}/${list}";
    set "handled" "yes";
    return;
}

# Nothing matched: the caller continues with the next rule.
set "handled" "no";
