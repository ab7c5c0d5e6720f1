# expect: missing-require
# Line 6: :flags comes from "imap4flags", which is not required.
require "fileinto";

if address :is "From" "noreply@tickets.example.com" {
    fileinto :flags "\\Seen" "Tickets";
}
