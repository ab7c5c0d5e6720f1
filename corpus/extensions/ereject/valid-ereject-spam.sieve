# valid-ereject-spam.sieve -- refuse obvious spam in the SMTP dialogue.
require "ereject";

if header :is "X-Spam-Flag" "YES" {
    ereject "Message refused: classified as spam (5.7.1).";
    stop;
}

if anyof (not exists "Date", not exists "Message-ID") {
    ereject text:
Message refused: it lacks the Date or Message-ID header
that every mail program adds.
.
;
}
