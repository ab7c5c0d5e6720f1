"""Where a script sets and reads its variables (RFC 5229), for the variable rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from sieve.lint.context import LintContext
from sieve.lint.reading import positional_roles
from sieve.runtime.variables import VARIABLE_REF
from sieve.syntax.ast import Command, Test

# RFC 5232 §3: with two positionals, the first names the variable holding the flags.
_FLAG_COMMANDS = {"setflag", "addflag", "removeflag"}


@dataclass(slots=True)
class VariableUses:
    """Names are lower case: RFC 5229 §3 makes variable names case-insensitive."""

    # Each set name with the node that sets it (first one kept for reporting).
    sets: dict[str, Command | Test] = field(default_factory=dict)
    # Each read name with the string node that reads it first.
    reads: dict[str, object] = field(default_factory=dict)
    # Names declared `global` (RFC 6609 §3.3): other scripts may set or read them.
    globals: set[str] = field(default_factory=set)


def variable_uses(context: LintContext) -> VariableUses:
    return context.memo("variable-uses", _find)


def _find(context: LintContext) -> VariableUses:
    uses = VariableUses()
    for node, _ in context.walk():
        # Every string may read variables, also those of Oracle mapping callouts, which
        # the registry does not know.
        for argument in node.arguments:
            for string in context.strings(argument):
                if "${" not in string.value:
                    continue
                for match in VARIABLE_REF.finditer(string.value):
                    name = match.group(1)
                    if name[0].isdigit() or "." in name:
                        continue  # match variables and namespaces are not set by the script
                    uses.reads.setdefault(name.lower(), string)
        if context.provided(node) is None:
            continue
        roles = positional_roles(node, context.registry)
        for role, argument in roles:
            if role == "variable-name":
                for name in context.string_values(argument):
                    uses.sets.setdefault(name.lower(), node)
            elif role == "variable-names" and node.name == "global":
                uses.globals.update(n.lower() for n in context.string_values(argument))
        positionals = [argument for _, argument in roles]
        if len(positionals) == 2 and node.name in _FLAG_COMMANDS | {"hasflag"}:
            for name in context.string_values(positionals[0]):
                if node.name != "hasflag":
                    uses.sets.setdefault(name.lower(), node)
                if node.name != "setflag":
                    uses.reads.setdefault(name.lower(), positionals[0])
    return uses
