# expect: unknown-capability, unknown-command
# A mail filter cannot use the testsuite language: only .svtest files (the
# "testsuite" dialect of `sieve test`) may require it.
require "vnd.dovecot.testsuite";

test_fail "filters must not reach the test harness";
