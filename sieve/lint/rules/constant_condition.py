"""A condition whose value is known before any message arrives."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.rule import Rule
from sieve.syntax.ast import Command, Number, Test, TestList

_CONDITIONS = {"if", "elsif"}


class ConstantCondition(Rule):
    """## What it does
    Finds `if`/`elsif` conditions that are always true or always false whatever the message:
    `true` and `false` (also inside `not`, `allof` and `anyof`), `size :under 0`, and
    `string` tests that compare constant text.

    ## Why is this bad?
    A branch that always runs needs no `if`; a branch that never runs is dead code that
    readers still have to understand. Both are usually left over from debugging (`if false`
    to switch a rule off) or a mistake in a generated filter.

    ## Example
    ```sieve
    if anyof (false, header :contains "Subject" "sale") { fileinto "Ads"; }
    if true { keep; }
    ```

    ## Use instead
    ```sieve
    if header :contains "Subject" "sale" { fileinto "Ads"; }
    keep;
    ```
    """

    code = "constant-condition"

    def check(self, context: LintContext) -> Iterator[Finding]:
        for command, _ in context.commands():
            if command.name not in _CONDITIONS or not isinstance(command.test, Test):
                continue
            value = _value(context, command.test)
            if value is not None:
                yield self.finding(
                    command.test,
                    f"this condition is always {'true' if value else 'false'}",
                    _hint(command, value),
                )
                continue
            # A whole condition that depends on the message, with a constant part.
            for test in _constant_parts(context, command.test):
                value = _value(context, test)
                yield self.finding(
                    test,
                    f"this part of the condition is always {'true' if value else 'false'}",
                    "remove it: it does not change what the condition decides",
                )


def _hint(command: Command, value: bool) -> str:
    if value:
        return "drop the if and keep its commands (and remove the branches after it)"
    return f"remove the {command.name} branch; it can never run"


def _value(context: LintContext, test: Test) -> bool | None:
    """The test's value if it does not depend on the message or the script's state."""
    name = test.name
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "not" and isinstance(test.test, Test):
        inner = _value(context, test.test)
        return None if inner is None else not inner
    if name in ("allof", "anyof") and isinstance(test.test, TestList):
        values = [_value(context, member) for member in test.test.tests]
        decisive = name == "anyof"  # anyof is decided by a true member, allof by a false one
        if decisive in values:
            return decisive
        if all(v is not None for v in values):
            return not decisive
        return None
    if name == "size" and context.tag(test, "under") is not None:
        limit = context.positional(test, 0)
        if isinstance(limit, Number) and limit.value == 0:
            return False  # RFC 5228 §5.9: no message is smaller than zero octets
    if name == "string" and context.match_type(test) in ("is", "contains", "matches"):
        return _constant_string(context, test)
    return None


def _constant_string(context: LintContext, test: Test) -> bool | None:
    # RFC 5229 §5: without ${…} the source and keys are constants.
    positionals = context.positionals(test)
    if len(positionals) != 2 or context.comparator(test) not in ("i;ascii-casemap", "i;octet"):
        return None
    sources = context.strings(positionals[0])
    keys = context.strings(positionals[1])
    if any("${" in s.value for s in sources + keys) or not sources or not keys:
        return None
    fold = context.comparator(test) == "i;ascii-casemap"
    match = context.match_type(test)
    if match == "matches":
        return None  # constant too, but the glob matcher is not worth repeating here
    if len(sources) * len(keys) > 10_000:
        return None  # constant, but not worth quadratic time to prove
    values = [_casefold(s.value, fold) for s in sources]
    wanted = [_casefold(k.value, fold) for k in keys]
    if match == "is":
        return not set(values).isdisjoint(wanted)
    return any(w in v for v in values for w in wanted)


def _casefold(text: str, fold: bool) -> str:
    # i;ascii-casemap folds only ASCII letters (RFC 4790 §9.2).
    return text.translate(_ASCII_LOWER) if fold else text


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _constant_parts(context: LintContext, test: Test) -> Iterator[Test]:
    """The largest constant sub-tests of a condition that is not constant as a whole."""
    members: list[Test] = []
    if isinstance(test.test, TestList):
        members = test.test.tests
    elif isinstance(test.test, Test):
        members = [test.test]
    for member in members:
        if _value(context, member) is not None:
            yield member
        else:
            yield from _constant_parts(context, member)


RULE = ConstantCondition()
