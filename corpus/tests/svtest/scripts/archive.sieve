# Runs before the user's script: keeps a copy of everything in Archive.
require ["fileinto", "copy"];

fileinto :copy "Archive";
