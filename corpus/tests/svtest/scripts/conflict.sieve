# Compiles, but fails at run time: a message cannot be rejected twice.
require "reject";

reject "No.";
reject "Still no.";
