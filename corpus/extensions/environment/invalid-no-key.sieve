# expect: missing-argument
# The value to compare with was left out.
require ["environment", "fileinto"];

if environment :contains "remote-host" {
    fileinto "Internal";
}
