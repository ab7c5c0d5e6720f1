# expect: missing-argument, missing-tag, bad-value
# dialect: testsuite
# A test without its name, test_message without :smtp or :folder, and
# test_set on an object the testsuite does not have.
require "vnd.dovecot.testsuite";

test {
  test_message 0;
  test_set "mesage" "Subject: hello";
}
