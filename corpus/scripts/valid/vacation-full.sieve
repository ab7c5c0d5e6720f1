# vacation-full.sieve -- an out-of-office reply using every vacation
# parameter of RFC 5230, with a MIME (multipart/alternative) reason.
require ["vacation", "variables", "envelope"];

# Never answer lists, bulk mail or other robots.
if anyof (exists ["List-Id", "List-Unsubscribe"],
          header :is "Precedence" ["bulk", "list", "junk"],
          header :contains "Auto-Submitted" "auto-",
          envelope :localpart :matches "from" ["*-bounces*", "mailer-daemon",
                                               "noreply*", "no-reply*"]) {
    keep;
    stop;
}

if header :matches "Subject" "*" {
    set "orig_subject" "${1}";
}

vacation
    :days 7
    :subject "Out of office: ${orig_subject}"
    :from "Jane Doe <jane.doe@example.com>"
    :addresses ["jane.doe@example.com", "jdoe@example.com",
                "jane@mail.example.com"]
    :mime
    :handle "summer-holiday-2024"
text:
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="==vacation-boundary=="

--==vacation-boundary==
Content-Type: text/plain; charset=us-ascii

Hello,

I am on holiday until 26 August and will not read mail before then.
For urgent matters please contact my colleague John Smith
(john.smith@example.com, +1 555 0100).

Best regards,
Jane
--==vacation-boundary==
Content-Type: text/html; charset=us-ascii

<p>Hello,</p>
<p>I am on holiday until 26 August and will not read mail before then.
For urgent matters please contact my colleague
<a href="mailto:john.smith@example.com">John Smith</a>.</p>
<p>Best regards,<br>Jane</p>
--==vacation-boundary==--
.
;
keep;
