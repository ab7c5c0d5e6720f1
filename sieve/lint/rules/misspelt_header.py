"""A header name that looks like a misspelling of a real one."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.headers import KNOWN_HEADERS
from sieve.lint.reading import positional_roles
from sieve.lint.rule import Rule

_CANDIDATES = sorted(KNOWN_HEADERS)


class MisspeltHeader(Rule):
    """## What it does
    Finds header names that no mail carries but that are one or two letters away from a
    header that does (`"Subjct"`, `"Reply-To:"`, `"X-Spam-Flg"`), and suggests the real
    name.

    ## Why is this bad?
    A test of a header that never exists is simply false (RFC 5228 §5.7), with no error at
    compile or run time, so the rule it guards never fires and nobody notices.

    ## Example
    ```sieve
    if header :contains "Subjct" "invoice" { fileinto "Bills"; }
    ```

    ## Use instead
    ```sieve
    if header :contains "Subject" "invoice" { fileinto "Bills"; }
    ```
    """

    code = "misspelt-header"
    tolerant = True

    def check(self, context: LintContext) -> Iterator[Finding]:
        cache: dict[str, str | None] = {}
        for node, _ in context.walk():
            names = [
                string
                for role, argument in positional_roles(node, context.registry)
                if role == "header-name"
                for string in context.strings(argument)
            ]
            for string in names:
                name = string.value
                lowered = name.lower()
                if lowered not in cache:
                    cache[lowered] = _suggestion(lowered)
                suggestion = cache[lowered]
                if suggestion is None:
                    continue
                yield self.finding(
                    string,
                    f'no mail has a "{name}" header field',
                    f'did you mean "{_styled(suggestion, name)}"?',
                )


def _suggestion(name: str) -> str | None:
    if name in KNOWN_HEADERS or "${" in name or len(name) < 4:
        return None
    if name.endswith(":") and name[:-1].strip() in KNOWN_HEADERS:
        return name[:-1].strip()  # the colon is not part of the name (RFC 5322 §2.2)
    # One slip of the finger (a letter missing, extra, wrong or swapped); two in long
    # standard names. X- names are private, so only one slip counts there.
    allowed = 2 if len(name) >= 10 and not name.startswith("x-") else 1
    best: tuple[int, str] | None = None
    for known in _CANDIDATES:
        if abs(len(known) - len(name)) > allowed:
            continue
        distance = typo_distance(name, known, allowed)
        if distance <= allowed and (best is None or distance < best[0]):
            best = (distance, known)
    return best[1] if best else None


def typo_distance(a: str, b: str, limit: int) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment);
    stops early, returning `limit + 1`, once it must exceed `limit`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[len(b)]


def _styled(known: str, written: str) -> str:
    """The known name in the capitalisation the author used (Subject, not subject)."""
    if written.islower():
        return known
    return "-".join(part[:1].upper() + part[1:] for part in known.split("-"))


RULE = MisspeltHeader()
