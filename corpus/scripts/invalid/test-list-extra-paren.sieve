# errors: 1
# line 6: extra ')' after the anyof test list
require ["fileinto"];

if anyof (header :contains "Subject" "[ALERT]",
          header :contains "From" "monitoring@example.com")) {
    fileinto "Alerts";
    stop;
}
keep;
