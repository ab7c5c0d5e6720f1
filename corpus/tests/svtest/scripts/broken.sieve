# Two mistakes the checker reports: an unknown command, and fileinto
# without require "fileinto".
frobnicate "Subject";
fileinto "Junk";
