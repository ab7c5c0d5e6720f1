"""The checks of a command's or test's arguments against its signature.

Tags (known, not repeated, one per group, with the value they need), positionals (count
and types), allowed values, comparators, header names, regular expressions and variable
names: the checks of one use of a command or test, as opposed to the walk over the script
(`checker`) that finds the uses. They are methods of a mixin that `Checker` takes in, since
they report through it and read its registry and the variables it tracks.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sieve.check.describe import describe_argument, describe_signature
from sieve.check.scope import Scope
from sieve.check.signatures import Signature
from sieve.extensions.registry import Provided, Registry, all_extensions
from sieve.extensions.spec import COMPARATOR, MATCH_TYPE, Arg, CommandSpec, TestSpec
from sieve.extensions.spec import Tag as SpecTag
from sieve.syntax.ast import (
    Argument,
    Callout,
    Command,
    String,
    StringList,
    Tag,
    Test,
    string_nodes,
)

if TYPE_CHECKING:
    from sieve.syntax.source import Span

# RFC 5322 §3.6.8: a field name is printable US-ASCII except ':'.
_HEADER_NAME = re.compile(r"[!-9;-~]+")
# RFC 5229 §3: variable-name = identifier (match variables are digits, set cannot set them).
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# RFC 5229 §3: a reference to a plain variable (no namespace, not a match variable).
_PLAIN_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_VARIABLE_ROLES = ("variable-name", "variable-names")
_NO_GROUPS: dict[str, str] = {}
_SUBSTRING_MATCHES = frozenset({"contains", "matches", "regex"})
_FLAG_COMMANDS = frozenset({"setflag", "addflag", "removeflag", "hasflag"})


class ArgumentChecks:
    """The argument checks of `Checker`; what they use of it is declared here."""

    registry: Registry
    # The capabilities already reported as missing (one report each).
    missing: set[str]
    # The strings of checked commands and tests that hold "${", gathered on the way.
    substituted: list[String]
    tracks_globals: bool
    local_names: set[str]
    global_names: set[str]

    if TYPE_CHECKING:

        def signature(self, spec: CommandSpec | TestSpec) -> Signature: ...

        def report(self, code: str, span: Span, message: str, hint: str = "") -> None: ...

        def needs(self, provided: Provided, span: Span, what: str, scope: Scope) -> None: ...

    def arguments(
        self,
        arguments: list[Argument],
        spec: CommandSpec | TestSpec,
        node: Command | Test,
        scope: Scope,
    ) -> None:
        gathered = len(self.substituted)
        for argument in arguments:
            kind = type(argument)
            if kind is String:
                if "${" in argument.value:  # type: ignore[union-attr]
                    self.substituted.append(argument)  # type: ignore[arg-type]
            elif kind is StringList or kind is Callout:
                self.substituted.extend(s for s in string_nodes(argument) if "${" in s.value)
        if self.tracks_globals:
            for string in self.substituted[gathered:]:
                for reference in _PLAIN_REFERENCE.finditer(string.value):
                    self.used_locally(reference.group(1))
        signature = self.signature(spec)
        if arguments and type(arguments[0]) is Tag:
            index, groups = self.tags(arguments, signature, scope)
        else:
            index, groups = 0, _NO_GROUPS
        for group in signature.required_groups:
            if group not in groups:
                options = ", ".join(
                    f":{t}"
                    for t, p in signature.tags.items()
                    if getattr(p.spec, "group", None) == group
                )
                self.report(
                    "missing-tag",
                    node.name_span,
                    f"'{spec.name}' needs one of {options}",
                    f"add one of {options}",
                )
        given = arguments[index:] if index else arguments
        self.positionals(given, signature, node)
        if groups and groups.get(MATCH_TYPE) == "regex":
            self.regex_keys(arguments)
        if groups and groups.get(MATCH_TYPE) in _SUBSTRING_MATCHES and COMPARATOR in groups:
            self.substring_comparator(arguments, groups[MATCH_TYPE])
        if spec.name in _FLAG_COMMANDS and len(given) == 2:
            self.flag_variable(spec, given[0], scope)

    def used_locally(self, name: str) -> None:
        """Called in source order for each `set` target and `${name}` reference."""
        key = name.lower()
        if key not in self.global_names:
            self.local_names.add(key)

    def declared_global(self, name: String) -> None:
        """RFC 6609 §3.4: a name the script has already used as a local variable cannot
        be declared global afterwards; Pigeonhole refuses it too."""
        key = name.value.lower()
        if key in self.local_names and key not in self.global_names:
            self.report(
                "global-after-local",
                name.span,
                f"'{name.value}' is declared global after its use as a local variable",
                "move the global command above the first use of the variable",
            )
        else:
            self.global_names.add(key)

    def substring_comparator(self, arguments: list[Argument], match_type: str) -> None:
        """RFC 4790 §9.1: i;ascii-numeric has no substring operation, so :contains,
        :matches and :regex cannot use it (Pigeonhole refuses this too)."""
        for position, argument in enumerate(arguments[:-1]):
            if isinstance(argument, Tag) and argument.name == "comparator":
                value = arguments[position + 1]
                if isinstance(value, String) and value.value.lower() == "i;ascii-numeric":
                    self.report(
                        "comparator-match-type",
                        value.span,
                        f"the comparator i;ascii-numeric cannot do :{match_type}: it only "
                        "compares numbers as wholes",
                        "use :is or :value/:count with i;ascii-numeric, or another comparator",
                    )

    def flag_variable(self, spec: CommandSpec | TestSpec, variable: Argument, scope: Scope) -> None:
        """RFC 5232 §3-4: the two-argument forms name a variable holding the flags, which
        needs "variables", and the actions name exactly one variable."""
        name = spec.name
        self.needs(
            Provided(spec, "variables"), variable.span, f"'{name}' with a variable name", scope
        )
        if name != "hasflag" and isinstance(variable, StringList) and len(variable.strings) != 1:
            self.report(
                "bad-variable-name",
                variable.span,
                f"'{name}' takes one variable name here, not a list",
                "name a single variable as a plain string",
            )

    def tags(
        self, arguments: list[Argument], signature: Signature, scope: Scope
    ) -> tuple[int, dict[str, str]]:
        """RFC 5228 §2.6.2: checks the leading tagged arguments; returns how many arguments
        they take up, and the tag given for each group (match type, comparator, ...)."""
        spec = signature.spec
        tags = signature.tags
        seen: set[str] = set()
        groups: dict[str, str] = {}
        index = 0
        count = len(arguments)
        while index < count and type(arguments[index]) is Tag:
            tag = arguments[index]
            assert isinstance(tag, Tag)
            index += 1
            known = tags.get(tag.name)
            if known is None:
                self.unknown_tag(tag, spec, tags)
                continue
            if known.capability and known.capability not in scope.required:
                self.needs(known, tag.span, f"the tag ':{tag.name}'", scope)
            declared = known.spec
            assert isinstance(declared, SpecTag)
            if tag.name in seen:
                self.report(
                    "duplicate-tag", tag.span, f"':{tag.name}' is given twice", "remove one of them"
                )
            seen.add(tag.name)
            if declared.group is not None:
                other = groups.get(declared.group)
                if other is not None and other != tag.name:
                    self.report(
                        "conflicting-tags",
                        tag.span,
                        f"':{tag.name}' and ':{other}' cannot be used together",
                        f"use only one {declared.group} tag",
                    )
                groups.setdefault(declared.group, tag.name)
            if declared.value is None:
                continue
            if index >= count or type(arguments[index]) is Tag:
                self.report(
                    "missing-argument",
                    tag.span,
                    f"':{tag.name}' needs {declared.value.value} after it",
                    f"write :{tag.name} followed by its value",
                )
                continue
            value = arguments[index]
            index += 1
            if type(value) not in signature.tag_values[tag.name]:
                self.wrong_type(value, declared.value, f"the value of ':{tag.name}'")
                continue
            if declared.values is not None:
                self.values(value, declared.values, f"':{tag.name}'")
            if declared.role == "header-name":
                self.header_names(value)
            if declared.group == COMPARATOR:
                self.comparator(value, scope)
        if signature.needs_tags:
            for name in seen:
                needed = getattr(tags[name].spec, "needs_tag", None)
                if needed is not None and needed not in seen:
                    tag_node = next(a for a in arguments if isinstance(a, Tag) and a.name == name)
                    self.report(
                        "missing-tag",
                        tag_node.span,
                        f"':{name}' only works together with ':{needed}'",
                        f"add :{needed}, or remove :{name}",
                    )
        return index, groups

    def positionals(
        self, given: list[Argument], signature: Signature, node: Command | Test
    ) -> None:
        spec = signature.spec
        for argument in given:
            if type(argument) is Tag:
                for tag in given:
                    if isinstance(tag, Tag):
                        self.report(
                            "misplaced-tag",
                            tag.span,
                            f"':{tag.name}' comes after the positional arguments",
                            "tagged arguments go first, right after the name (RFC 5228 §2.6)",
                        )
                given = [a for a in given if not isinstance(a, Tag)]
                break
        declared = signature.positionals
        required = signature.required
        if len(given) < required:
            missing = [p.name for p in declared if not p.optional][len(given) :]
            self.report(
                "missing-argument",
                node.name_span,
                f"'{spec.name}' needs its {', '.join(missing)}",
                f"{spec.name} takes: {describe_signature(spec)}",
            )
            return
        if len(given) > len(declared):
            self.report(
                "too-many-arguments",
                given[len(declared)].span,
                f"'{spec.name}' takes {len(declared)} positional argument(s), not {len(given)}",
                f"{spec.name} takes: {describe_signature(spec)}",
            )
            given = given[: len(declared)]
        for (positional, fits), argument in zip(
            signature.slots[len(given) - required], given, strict=True
        ):
            if type(argument) not in fits:
                self.wrong_type(argument, positional.kind, f"the {positional.name}")
                continue
            if positional.values is not None:
                self.values(argument, positional.values, f"the {positional.name}")
            role = positional.role
            if role == "header-name":
                self.header_names(argument)
            elif role in _VARIABLE_ROLES:
                for name in string_nodes(argument):
                    self.variable_name(name)
                    if not self.tracks_globals:
                        continue
                    if spec.name == "global":
                        self.declared_global(name)
                    else:
                        self.used_locally(name.value)

    def wrong_type(self, argument: Argument, kind: Arg, what: str) -> None:
        self.report(
            "wrong-argument-type",
            argument.span,
            f"{what} must be {kind.value}, not {describe_argument(argument)}",
            'write a list as ["a", "b"] only where a list is allowed'
            if isinstance(argument, StringList)
            else f"give {kind.value} here",
        )

    def values(self, argument: Argument, allowed: tuple[str, ...] | None, what: str) -> None:
        if allowed is None or not isinstance(argument, String | StringList):
            return
        for string in string_nodes(argument):
            if "${" in string.value:
                continue  # decided at run time
            if string.value.lower() not in allowed:
                closest = self.registry.closest(string.value.lower(), allowed)
                self.report(
                    "bad-value",
                    string.span,
                    f"'{string.value}' is not a valid value for {what}",
                    f"did you mean '{closest}'?"
                    if closest
                    else "allowed: " + ", ".join(f'"{v}"' for v in allowed),
                )

    def comparator(self, value: Argument, scope: Scope) -> None:
        if not isinstance(value, String) or "${" in value.value:
            return
        name = value.value.lower()
        capability = self.registry.comparators.get(name)
        if capability is None:
            providers = [e.capability for e in all_extensions().values() if name in e.comparators]
            if providers:
                self.report(
                    "missing-require"
                    if providers[0] in self.registry.enabled
                    else "disabled-capability",
                    value.span,
                    f"the comparator '{name}' needs the capability '{providers[0]}'",
                    f'add require "{providers[0]}";',
                )
                return
            self.report(
                "unknown-comparator",
                value.span,
                f"unknown comparator '{value.value}'",
                'comparators are "i;octet", "i;ascii-casemap" and the required ones',
            )
        elif capability and capability not in scope.required:
            self.report(
                "missing-require",
                value.span,
                f"the comparator '{name}' needs the capability '{capability}'",
                f'add require "{capability}";',
            )

    def header_names(self, argument: Argument) -> None:
        for string in string_nodes(argument):
            if "${" not in string.value and not _HEADER_NAME.fullmatch(string.value):
                self.report(
                    "bad-header-name",
                    string.span,
                    f"'{string.value}' is not a valid header name",
                    "header names are printable ASCII without spaces or ':' (RFC 5322 §3.6.8)",
                )

    def regex_keys(self, arguments: list[Argument]) -> None:
        """draft-ietf-sieve-regex: the key list of a :regex match must hold valid regular
        expressions, checked with the engine the interpreter runs (RE2)."""
        from sieve.runtime.matching import regex_error

        keys = [a for a in arguments if not isinstance(a, Tag)]
        if not keys:
            return
        for string in string_nodes(keys[-1]):
            if "${" in string.value:
                continue
            reason = regex_error(string.value)
            if reason is not None:
                self.report(
                    "bad-regex",
                    string.span,
                    f"invalid regular expression: {reason}",
                    "write an extended regular expression (POSIX/RE2 syntax); no backreferences",
                )

    def variable_name(self, name: Argument) -> None:
        if isinstance(name, String) and not _VARIABLE_NAME.fullmatch(name.value):
            self.report(
                "bad-variable-name",
                name.span,
                f"'{name.value}' is not a valid variable name",
                "a variable name is letters, digits and '_', not starting with a digit (RFC 5229)",
            )

    def unknown_tag(
        self, tag: Tag, spec: CommandSpec | TestSpec, tags: dict[str, Provided]
    ) -> None:
        closest = self.registry.closest(tag.name, tags)
        hint = (
            f"did you mean ':{closest}'?"
            if closest
            else (
                f"{spec.name} takes: " + ", ".join(f":{t}" for t in sorted(tags))
                if tags
                else f"{spec.name} takes no tags"
            )
        )
        self.report("unknown-tag", tag.span, f"'{spec.name}' does not take ':{tag.name}'", hint)


__all__ = ["ArgumentChecks"]
