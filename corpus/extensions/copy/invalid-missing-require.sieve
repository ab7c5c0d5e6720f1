# expect: missing-require
# Line 6: :copy comes from "copy", which is not required.
require "fileinto";

if address :domain :is "From" "board.example.com" {
    redirect :copy "assistant@example.com";
    fileinto "Board";
}
