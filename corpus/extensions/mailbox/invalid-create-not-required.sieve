# expect: missing-require
# fileinto is required, but :create comes with "mailbox".
require ["fileinto"];

if header :contains "List-Id" "<dev.lists.example.org>" {
    fileinto :create "Lists/dev";
}
