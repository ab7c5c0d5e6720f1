"""`sieve serve`: the filter hierarchy as an SMTP/LMTP content filter in a mail pipeline.

Modules, one job each: `config` (the TOML file, documented there), `scripts` (loading and
live reloading), `handler` (the aiosmtpd handler: filter, relay, then reply), `plan` (what
a recipient's outcome turns into), `notices` (vacation, notify and reject messages), `relay`
(the next hop), `metrics` (Prometheus text) and `service` (wiring, limits, signals).

Behind Postfix as an after-queue content filter, with the service listening on 10025 and
relaying to a second smtpd on 10026 that has content_filter switched off (master.cf)::

    # main.cf
    content_filter = sieve:[127.0.0.1]:10025
    # master.cf
    sieve     unix  -  -  n  -  10  smtp
        -o smtp_send_xforward_command=yes
    127.0.0.1:10026 inet n  -  n  -  -  smtpd
        -o content_filter=
        -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks
        -o mynetworks=127.0.0.0/8

For a before-queue filter use ``smtpd_proxy_filter = 127.0.0.1:10025`` on the public smtpd
instead: an ereject then reaches the sending client as our 5xx reply. In an Oracle
Messaging Server-style layout, run one instance per channel (``[scripts] channel``) and
share the throttle counts through ``[mapping] memcached``. Deliver with an LMTP-speaking
delivery agent that reads ``X-Sieve-Mailbox`` and ``X-Sieve-Flags``; only the service sets
those (copies from senders are stripped).
"""
