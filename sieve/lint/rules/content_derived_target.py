"""Redirect, notify and vacation targets built from message content."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sieve.lint.analyses import URL_SAFE
from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.reading import arguments, references
from sieve.lint.rule import Rule
from sieve.syntax.ast import Command, String, string_nodes

# Where a value that goes back to the sender, or to ourselves, comes from.
SENDER = frozenset(
    {
        "envelope:from",
        "header:from",
        "header:sender",
        "header:reply-to",
        "header:return-path",
        "header:resent-from",
        "header:resent-sender",
        "header:errors-to",
    }
)
RECIPIENT = frozenset(
    {
        "envelope:to",
        "header:to",
        "header:cc",
        "header:delivered-to",
        "header:x-original-to",
        "header:envelope-to",
        "header:x-envelope-to",
        "header:resent-to",
    }
)
# RFC 6068 §2: the header fields of a mailto URI that add recipients.
_MAILTO_RECIPIENT_FIELDS = frozenset({"to", "cc", "bcc"})


@dataclass(frozen=True, slots=True)
class TargetUse:
    """One `${…}` inside a target argument and where its value may come from."""

    command: Command
    string: String
    what: str  # "the redirect address", "the notify method's recipients", ...
    variable: str
    origins: frozenset[str]  # bare origins, "+url" removed
    # The value lands in a URI query field that does not add recipients, where only a
    # value that went through `set :encodeurl` is harmless.
    query: bool = False


def base(origin: str) -> str:
    return origin.removesuffix(URL_SAFE)


def describe(origins: frozenset[str] | set[str]) -> str:
    """A person's words for where values come from: "the From header"."""
    names = []
    for origin in sorted({base(o) for o in origins}):
        if origin.startswith("header:"):
            names.append(f"the {origin[7:].title()} header")
        elif origin == "envelope:from":
            names.append("the envelope sender")
        elif origin == "envelope:to":
            names.append("the envelope recipient")
        elif origin == "body":
            names.append("the message body")
        else:
            names.append(origin)
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else "the message"


def target_uses(context: LintContext, command: Command) -> Iterator[TargetUse]:
    """Every variable reference in the arguments of a command that say where mail goes,
    with the origins of its value before the command. Nothing for unreachable commands."""
    flow = context.flow
    if flow is None:
        return
    state = flow.value_origins().before(command)
    if state is None:
        return
    name = flow.name(command)
    tags, positionals = arguments(command, context.registry)
    targets: list[tuple[str, String]] = []
    if name == "redirect" and "list" not in tags:
        targets += [("the redirect address", s) for s in string_nodes(_first(positionals))]
    elif name == "notify":
        for string in string_nodes(_first(positionals)):
            yield from _uri_uses(command, string, state)
        targets += [("the notification's :from", s) for s in string_nodes(tags.get("from"))]
    elif name == "vacation":
        targets += [("the reply's :from", s) for s in string_nodes(tags.get("from"))]
        targets += [("vacation :addresses", s) for s in string_nodes(tags.get("addresses"))]
    for what, string in targets:
        for _, variable in references(string.value):
            origins = _origins(state, variable)
            if name == "vacation":
                # The address the mail was delivered to is ours: replying from it is the
                # usual way to pick the right :from.
                origins = frozenset(o for o in origins if base(o) != "envelope:to")
            if origins:
                yield TargetUse(command, string, what, variable, _bare(origins))


def _uri_uses(command: Command, string: String, state: frozenset) -> Iterator[TargetUse]:
    """RFC 6068: in a mailto URI the recipients are the part before "?" and the to, cc and
    bcc fields; another field only adds recipients if a value can smuggle in "&cc=", which
    `set :encodeurl` prevents (RFC 5435 §6). Any other scheme: the whole URI is a target."""
    text = string.value
    mailto = text[:7].lower() == "mailto:"
    query_start = text.find("?") if mailto else -1
    for offset, variable in references(text):
        origins = _origins(state, variable)
        if not origins:
            continue
        in_query = query_start != -1 and offset > query_start
        if in_query and _field_name(text, query_start, offset) not in _MAILTO_RECIPIENT_FIELDS:
            if all(o.endswith(URL_SAFE) for o in origins):
                continue
            yield TargetUse(
                command, string, "the notify method URI", variable, _bare(origins), query=True
            )
            continue
        # Encoding keeps the URI well-formed, but the sender still picks the recipient.
        yield TargetUse(command, string, "the notify method's recipients", variable, _bare(origins))


def _field_name(text: str, query_start: int, offset: int) -> str:
    """The name of the mailto header field an offset of the query lies in ("" if the
    reference is in a field name itself, which then could name any field)."""
    field_start = max(text.rfind("&", query_start, offset), query_start) + 1
    equals = text.find("=", field_start, offset)
    return text[field_start:equals].lower() if equals != -1 else ""


def _origins(state: frozenset, variable: str) -> frozenset[str]:
    return frozenset(origin for name, origin in state if name == variable)


def _bare(origins: frozenset[str]) -> frozenset[str]:
    return frozenset(base(o) for o in origins)


def _first(items: list) -> object:
    return items[0] if items else None


class ContentDerivedTarget(Rule):
    """## What it does
    Finds `redirect` addresses, `notify` method URIs and `:from`, and `vacation` `:from`
    and `:addresses` that are built with `${…}` from the message itself: header, address,
    envelope or body captures of `:matches`/`:regex`, and variables set from them (the
    rule follows `set` along every path).

    ## Why is this bad?
    Whoever writes the message then picks where this server sends mail: a spammer puts
    their victims in a header and the script forwards or notifies them, with the server's
    reputation. In a mailto URI, a header value that was not passed through
    `set :encodeurl` can also add recipients with `&cc=`. Redirects back to the sender or
    the recipient are reported by `redirect-to-sender` instead.

    ## Example
    ```sieve
    require ["variables"];
    if header :matches "X-Forward-To" "*" { set "to" "${1}"; }
    redirect "${to}";
    ```

    ## Use instead
    ```sieve
    require ["variables"];
    if header :is "X-Forward-To" "sales" { redirect "sales-team@example.com"; }
    ```
    Compare message content with fixed values and send to fixed addresses; put content
    into a mailto URI's subject or body only through `set :encodeurl`.
    """

    code = "content-derived-target"

    def check(self, context: LintContext) -> Iterator[Finding]:
        if context.flow is None:
            return
        sender_rule = context.config.enabled("redirect-to-sender")
        for command, _ in context.commands():
            if context.flow.name(command) not in ("redirect", "notify", "vacation"):
                continue
            for use in target_uses(context, command):
                if (
                    sender_rule
                    and context.flow.name(command) == "redirect"
                    and use.origins <= SENDER | RECIPIENT
                ):
                    continue  # redirect-to-sender says this better
                yield self._finding(use)

    def _finding(self, use: TargetUse) -> Finding:
        source = describe(use.origins)
        if use.query:
            return self.finding(
                use.string,
                f"${{{use.variable}}} puts text from {source} into the notify URI unencoded:"
                " the sender can add recipients with '&cc=...'",
                f'encode it first: set :encodeurl "{use.variable}_uri" "${{{use.variable}}}"',
            )
        return self.finding(
            use.string,
            f"{use.what} comes from {source} (through ${{{use.variable}}}): whoever writes"
            " the message chooses where this server sends mail",
            "compare the content with fixed values and use fixed addresses",
        )


RULE = ContentDerivedTarget()
