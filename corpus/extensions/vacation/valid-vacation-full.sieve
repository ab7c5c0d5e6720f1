# valid-vacation-full.sieve -- an out-of-office reply with every vacation option.
require ["vacation"];

# No replies to lists and bulk senders.
if anyof (exists "List-Id", header :is "Precedence" ["bulk", "list", "junk"]) {
    stop;
}

if header :contains "Subject" "urgent" {
    vacation :days 1
             :subject "Out of office until 2 June"
             :from "Ann Example <ann@example.com>"
             :addresses ["ann@example.com", "a.example@example.com"]
             :handle "ooo-urgent"
             "I am out of the office until 2 June. For urgent matters please call
the front desk on +1 555 0100.";
    stop;
}

vacation :days 7
         :addresses ["ann@example.com", "a.example@example.com"]
         :mime
         :handle "ooo-general"
text:
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

I am out of the office until 2 June and will answer when I am back.
.
;
