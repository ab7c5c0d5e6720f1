# errors: 1
# line 5: string list opened with '[' is not closed with ']' (a ')' comes instead)
require ["fileinto"];

if anyof (header :contains "Subject" ["[SPAM]", "***SPAM***"),
          header :is "X-Spam-Flag" "YES") {
    fileinto "Junk";
    stop;
}
keep;
