# expect: wrong-argument-type
# The item name is one string, not a list.
require ["environment", "fileinto"];

if environment :is ["remote-ip", "remote-host"] "192.0.2.10" {
    fileinto "Relay";
}
