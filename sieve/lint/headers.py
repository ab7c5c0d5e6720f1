"""Header field names that exist in real mail, for the misspelt-header rule.

Gathered from the RFCs that define them (RFC 5322 §3.6, RFC 2045 MIME, RFC 2369 and 2919
list headers, RFC 3834 Auto-Submitted, RFC 8058, RFC 6376 DKIM, RFC 8601, RFC 5230 and
friends) and from widely deployed software (SpamAssassin, Exchange, mailing-list managers,
MTAs). Lower case: header names are case-insensitive (RFC 5322 §1.2.2).
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


KNOWN_HEADERS = _words(
    """
    accept-language alternate-recipient approved archived-at arc-authentication-results
    arc-message-signature arc-seal authentication-results auto-submitted autoforwarded
    autoreply bcc cc comments content-description content-disposition content-id
    content-language content-location content-md5 content-transfer-encoding content-type
    date deferred-delivery delivered-to delivery-date disposition-notification-options
    disposition-notification-to dkim-signature domainkey-signature encrypted envelope-to
    errors-to expires expiry-date followup-to from importance in-reply-to keywords
    latest-delivery-time list-archive list-help list-id list-owner list-post
    list-subscribe list-unsubscribe list-unsubscribe-post mailing-list message-context
    message-id mime-version mmhs-subject-indicator-codes newsgroups organization
    original-encoded-information-types original-from original-message-id original-recipient
    original-sender original-subject precedence priority received received-spf references
    reply-by reply-to require-recipient-valid-since resent-bcc resent-cc resent-date
    resent-from resent-message-id resent-reply-to resent-sender resent-to return-path
    return-receipt-to sender sensitivity solicitation subject supersedes thread-index
    thread-topic to user-agent x-auto-response-suppress x-autoreply x-beenthere
    x-bogosity x-envelope-from x-envelope-to x-facebook-notify x-forwarded-for
    x-forwarded-to x-google-dkim-signature x-greylist x-loop x-mailer x-mailing-list
    x-ms-exchange-organization-scl x-ms-has-attach x-msmail-priority x-original-sender
    x-original-to x-originating-ip x-priority x-received x-report-abuse x-sieve
    x-spam x-spam-checker-version x-spam-flag x-spam-level x-spam-report x-spam-score
    x-spam-status x-spamd-result x-virus-scanned x-virus-status x-list x-list-id
    x-campaign x-mailgun-sid x-ses-outgoing x-sender x-uid x-keywords x-status
    x-mozilla-status x-original-from x-attached x-no-archive x-rcpt-to x-recipient
    x-delivered-to
    """
)
