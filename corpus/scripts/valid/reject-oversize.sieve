# reject-oversize.sieve -- refuse oversized mail and mail to closed aliases
# with an explanatory multi-line message.
require ["reject", "fileinto"];

if size :over 25M {
    reject text: # the body below is sent back to the sender verbatim
Your message is larger than 25 MB and was not delivered.

Please share large files through https://files.example.com/ instead:
  1. upload the file,
  2. copy the share link,
  3. send the link by mail.

Lines that start with a dot are dot-stuffed in a Sieve script:
..profile is what the next line should start with in the bounce.
..
Regards,
  The Postmaster
.
;
    stop;
}

# The old sales alias was closed at the end of last year.
if address :is ["To", "Cc"] "sales-old@example.com" {
    reject text:
The address sales-old@example.com has been retired.
Please write to sales@example.com from now on.
.
;
    stop;
}

# Executables in a message of any size are not accepted at all.
if header :matches "Content-Type" "*name=*.exe*" {
    reject "Executable attachments are not accepted by this server.";
}
