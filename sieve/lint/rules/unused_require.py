"""A `require` of a capability that the script never uses."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.extensions.registry import all_extensions
from sieve.lint.context import LintContext
from sieve.lint.edits import delete_command, has_comment
from sieve.lint.finding import Finding, Fix
from sieve.lint.rule import Rule
from sieve.syntax.ast import Command, String, StringList

# Capabilities whose use shows only in string contents (RFC 5228 §2.4.2.4, RFC 5229 §3).
_ENCODED = ("${hex:", "${unicode:")


class UnusedRequire(Rule):
    """## What it does
    Finds capabilities named in `require` that no command, test, tag, comparator or string
    of the script uses.

    ## Why is this bad?
    A script that requires a capability fails on every server that lacks it (RFC 5228 §3.2),
    so an unused `require` makes the script less portable for nothing, and it misleads
    readers about what the script does. It is usually left behind when a rule was removed.

    ## Example
    ```sieve
    require ["fileinto", "vacation", "imap4flags"];
    if header :contains "Subject" "[SPAM]" { fileinto "Junk"; }
    ```

    ## Use instead
    ```sieve
    require ["fileinto"];
    if header :contains "Subject" "[SPAM]" { fileinto "Junk"; }
    ```
    """

    code = "unused-require"
    fixable = True

    def check(self, context: LintContext) -> Iterator[Finding]:
        used = _used(context)
        extensions = all_extensions()
        for command in context.script.commands:
            if command.name != "require":
                break
            argument = command.arguments[0] if command.arguments else None
            strings = context.strings(argument)
            for string in strings:
                name = string.value
                extension = extensions.get(name)
                if name in used or extension is None or not _detectable(name):
                    continue
                yield self.finding(
                    string,
                    f"the capability '{name}' is required but never used",
                    "remove it from the require list",
                    _fix(context, command, string, strings),
                )


def _detectable(name: str) -> bool:
    """Whether a use of the capability would show in the tree at all."""
    extension = all_extensions()[name]
    return name in ("variables", "encoded-character") or bool(
        extension.commands
        or extension.tests
        or extension.group_tags
        or extension.extra_tags
        or extension.comparators
        or extension.namespaces
    )


def _used(context: LintContext) -> set[str]:
    registry = context.registry
    used: set[str] = set()
    for node, _ in context.walk():
        provided = context.provided(node)
        if provided is None:
            continue
        used.add(provided.capability)
        tags = registry.tags_of(provided.spec)  # type: ignore[arg-type]
        for tag, value in context.tags(node):
            if tag.name in tags:
                used.add(tags[tag.name].capability)
            if tag.name == "comparator" and isinstance(value, String):
                used.add(registry.comparators.get(value.value.lower(), ""))
    for string in context.all_strings():
        text = string.value
        if "${" in text:
            used.add("variables")  # RFC 5229 §3: only with variables is ${…} a reference
            lowered = text.lower()
            if any(marker in lowered for marker in _ENCODED):
                used.add("encoded-character")
    # A capability another used one depends on is used through it (spamadjust → spamtest).
    for capability in list(used):
        used.update(registry.depends_on.get(capability, ()))
    return used


def _fix(
    context: LintContext, command: Command, unused: String, strings: list[String]
) -> tuple[Fix, ...]:
    if has_comment(context, command.span.start, command.span.end):
        return ()
    remaining = [s for s in strings if s is not unused]
    description = f"remove '{unused.value}' from require"
    if not remaining:
        return (delete_command(context, command, description),)
    argument = command.arguments[0]
    if not isinstance(argument, StringList):
        return ()
    text = "[" + ", ".join(context.text(s.span) for s in remaining) + "]"
    return (Fix(argument.span.start, argument.span.end, text, description),)


RULE = UnusedRequire()
