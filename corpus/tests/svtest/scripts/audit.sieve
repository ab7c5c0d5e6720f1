# Runs after the user's script, only for mail that script kept.
require "copy";

redirect :copy "audit@example.com";
