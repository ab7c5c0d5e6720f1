"""Every rule of the RFCs that can be decided before a message arrives, as diagnostics.

The checker walks the syntax tree once, reading what each command, test and tag may take
from the extension registry: nothing here names an extension's commands, except the
control-flow rules of RFC 5228 itself (require first, elsif/else after if) and those of
RFC 5463 (ihave) and RFC 5703 (break inside foreverypart); arguments with a declared role
(a header name, a variable name) get that role's check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sieve.diagnostics import ERROR, WARNING, Diagnostic, capped
from sieve.extensions.registry import Provided, Registry, all_extensions
from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    CommandSpec,
    Positional,
    SubTests,
    TestSpec,
)
from sieve.extensions.spec import Tag as SpecTag
from sieve.runtime.limits import Limits
from sieve.syntax.ast import (
    Argument,
    Callout,
    Command,
    Number,
    Script,
    String,
    StringList,
    Tag,
    Test,
    TestList,
    split_arguments,
    string_nodes,
)
from sieve.syntax.source import Span

# RFC 5322 §3.6.8: a field name is printable US-ASCII except ':'.
_HEADER_NAME = re.compile(r"[!-9;-~]+")
# RFC 5229 §3: variable-name = identifier (match variables are digits, set cannot set them).
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CONTROL_FLOW = {"if", "elsif", "else"}
# RFC 5229 §3: a reference to a plain variable (no namespace, not a match variable).
_PLAIN_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAMESPACED_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\}")
_UNICODE_ENCODING = re.compile(r"\$\{unicode:([ \t\r\n0-9A-Fa-f]*)\}", re.IGNORECASE)
# The argument node types each kind of argument accepts (RFC 5228 §2.6.1, §8.2: a string
# list may be a single string).
_FITS: dict[Arg, frozenset[type]] = {
    Arg.STRING: frozenset({String, Callout}),
    Arg.STRING_LIST: frozenset({String, StringList, Callout}),
    Arg.NUMBER: frozenset({Number}),
}
_VARIABLE_ROLES = ("variable-name", "variable-names")
_NO_GROUPS: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class _Signature:
    """A command's or test's signature as the checker reads it at every use, worked out
    once per registry: the tags it takes there, and which positionals a given number of
    arguments fills."""

    spec: CommandSpec | TestSpec
    tags: dict[str, Provided]
    # The argument node types that each tag taking a value accepts for it.
    tag_values: dict[str, frozenset[type]]
    positionals: tuple[Positional, ...]
    # How many positionals must be given.
    required: int
    # For n given arguments (n from `required` to all), the positionals they fill, each
    # with the node types it accepts: the optional ones are filled in order.
    slots: tuple[tuple[tuple[Positional, frozenset[type]], ...], ...]
    # Whether some tag only works together with another.
    needs_tags: bool
    required_groups: tuple[str, ...]


def _signature(registry: Registry, spec: CommandSpec | TestSpec) -> _Signature:
    tags = registry.tags_of(spec)
    declared = spec.signature.positionals
    required = sum(not p.optional for p in declared)
    slots = []
    for given in range(required, len(declared) + 1):
        surplus = given - required
        filled = []
        for positional in declared:
            if positional.optional:
                if surplus <= 0:
                    continue
                surplus -= 1
            filled.append((positional, _FITS[positional.kind]))
        slots.append(tuple(filled))
    tag_values = {
        name: _FITS[p.spec.value]
        for name, p in tags.items()
        if isinstance(p.spec, SpecTag) and p.spec.value is not None
    }
    needs_tags = any(getattr(p.spec, "needs_tag", None) for p in tags.values())
    return _Signature(
        spec,
        tags,
        tag_values,
        declared,
        required,
        tuple(slots),
        needs_tags,
        spec.signature.required_groups,
    )


# Signatures by registry, then by the id of their spec (specs live as long as the
# extension modules that declare them, and each entry keeps its spec).
_SIGNATURES: WeakKeyDictionary[Registry, dict[int, _Signature]] = WeakKeyDictionary()


@dataclass(slots=True)
class _Scope:
    """What is in force where a command stands."""

    required: set[str]
    # The commands whose blocks enclose this point, innermost last.
    enclosing: tuple[str, ...] = ()
    # The names of the enclosing foreverypart loops (RFC 5703 §3 `:name`).
    loop_names: tuple[str, ...] = ()


class Checker:
    def __init__(self, registry: Registry, dialect: str) -> None:
        self.registry = registry
        self.dialect = dialect
        self.diagnostics: list[Diagnostic] = []
        self.missing: set[str] = set()
        # The capabilities the script's require commands name, once `script()` has run.
        self.required: set[str] = set()
        # The strings of checked commands and tests that hold "${", gathered on the way.
        self.substituted: list[String] = []
        self.signatures = _SIGNATURES.setdefault(registry, {})
        # With "include": the variables used so far as local ones and those declared global
        # (lower case), for RFC 6609 §3.4's rule that a local cannot later become global.
        self.tracks_globals = False
        self.local_names: set[str] = set()
        self.global_names: set[str] = set()

    def signature(self, spec: CommandSpec | TestSpec) -> _Signature:
        found = self.signatures.get(id(spec))
        if found is None or found.spec is not spec:
            found = self.signatures[id(spec)] = _signature(self.registry, spec)
        return found

    # Reporting.

    def report(self, code: str, span: Span, message: str, hint: str = "") -> None:
        self.diagnostics.append(
            Diagnostic(
                code,
                ERROR,
                span.line,
                span.column,
                span.end_line,
                span.end_column,
                message,
                hint,
            )
        )

    # The script and its blocks.

    def script(self, script: Script) -> None:
        required = self.required = self.requires(script.commands)
        self.tracks_globals = "include" in required and "variables" in required
        self.commands(script.commands, _Scope(required), top_level=True)
        if "encoded-character" in required:
            self.encoded_characters(script)
        if "variables" in required:
            self.variable_references(script)

    def variable_references(self, script: Script) -> None:
        """RFC 5229 §3: a reference to a namespace no required extension provides is an
        error (`${ns.name}`)."""
        for string in self.substituted:
            for match in _NAMESPACED_REFERENCE.finditer(string.value):
                namespace = match.group(1).rsplit(".", 1)[0].lower()
                if namespace not in self.registry.namespaces:
                    self.report(
                        "bad-variable",
                        string.span,
                        f"'{match.group(0)}' refers to the namespace '{namespace}', which no "
                        "required extension provides",
                        "variable names have no dots; write ${name}",
                    )

    def encoded_characters(self, script: Script) -> None:
        """RFC 5228 §2.4.2.4: `${unicode:…}` may only name Unicode scalar values."""
        for string in self.substituted:
            for match in _UNICODE_ENCODING.finditer(string.value):
                bad = [
                    value
                    for value in (int(digits, 16) for digits in match.group(1).split())
                    if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF
                ]
                for value in bad[:1]:  # one report per encoding
                    self.report(
                        "bad-encoded-character",
                        string.span,
                        f"U+{value:04X} in '{match.group(0)}' is not a Unicode character",
                        "write the character's code point, e.g. ${unicode:1F600}, not "
                        "UTF-16 surrogates",
                    )

    def requires(self, commands: list[Command]) -> set[str]:
        """RFC 5228 §3.2: the capabilities named by the leading require commands."""
        required: set[str] = set()
        for command in commands:
            if command.name != "require":
                break
            if not command.arguments or not isinstance(command.arguments[0], String | StringList):
                continue  # the signature check reports it
            for name in string_nodes(command.arguments[0]):
                if self.capability_usable(name.value, name.span):
                    required.add(name.value)
                    required.update(self.registry.implies.get(name.value, ()))
        for capability in sorted(required):
            for needed in self.registry.depends_on.get(capability, ()):
                if needed not in required:
                    span = commands[0].span
                    self.report(
                        "missing-dependency",
                        span,
                        f"the capability '{capability}' needs '{needed}' as well",
                        f'add "{needed}" to the require list',
                    )
        return required

    def capability_usable(self, name: str, span: Span) -> bool:
        if name in self.registry.enabled:
            return True
        if name in self.registry.known:
            self.report(
                "disabled-capability",
                span,
                f"the capability '{name}' is not enabled on this server",
                "enable it in the extensions setting, or do without it",
            )
            return False
        closest = self.registry.closest(name, self.registry.known)
        self.report(
            "unknown-capability",
            span,
            f"unknown capability '{name}'",
            f"did you mean '{closest}'?"
            if closest
            else "check the name against RFC 5228 and its extensions",
        )
        return False

    def commands(self, commands: list[Command], scope: _Scope, top_level: bool = False) -> None:
        previous: str | None = None
        seen_other = False
        for command in commands:
            if command.name == "require":
                if seen_other or not top_level:
                    self.report(
                        "require-not-first",
                        command.name_span,
                        "require must come before every other command, at the top of the script",
                        "move this require to the top of the script",
                    )
            else:
                seen_other = True
            self.command(command, scope, previous)
            previous = command.name

    def command(self, command: Command, scope: _Scope, previous: str | None) -> None:
        name = command.name
        if (name == "elsif" or name == "else") and previous not in ("if", "elsif"):
            self.report(
                f"{name}-without-if",
                command.name_span,
                f"'{name}' must follow an 'if' or 'elsif' block",
                "an elsif or else belongs right after the closing '}' of an if",
            )
        alias = self.registry.aliases.get(name)
        if alias is not None:
            self.diagnostics.append(
                _warning(
                    "dialect-alias",
                    command.name_span,
                    f"'{name}' is read as '{alias.means}'",
                    f"{alias.why}; write '{alias.means}' where the server allows it",
                )
            )
            name = alias.means
        provided = self.registry.commands.get(name)
        if provided is None:
            self.unknown(command.name, command.name_span, "command", scope)
            if command.block is not None:
                self.commands(command.block.commands, scope)
            return
        spec = provided.spec
        assert isinstance(spec, CommandSpec)
        capability = provided.capability
        if capability and capability not in scope.required:
            self.needs(provided, command.name_span, f"the command '{name}'", scope)
        if spec.inside is not None and spec.inside not in scope.enclosing:
            self.report(
                f"{name}-outside-{spec.inside}",
                command.name_span,
                f"'{name}' is only allowed inside a {spec.inside} block",
                f"put it inside {spec.inside} {{ … }}"
                + (", or use stop to end the script" if name == "break" else ""),
            )
        elif name == "break":
            label = _tag_string(command.arguments, "name")
            if label is not None and label not in scope.loop_names:
                self.report(
                    "unknown-loop-name",
                    command.name_span,
                    f"no enclosing foreverypart loop is named '{label}'",
                    "break :name must name a foreverypart that encloses it",
                )
        for capability in spec.needs:
            if capability not in scope.required:
                self.needs(
                    Provided(spec, capability), command.name_span, f"the command '{name}'", scope
                )
        self.arguments(command.arguments, spec, command, scope)
        wanted = spec.signature.tests
        if command.test is not None or wanted is not SubTests.NONE:
            self.subtests(command.test, wanted, command, scope)
        if spec.block or command.block is not None:
            self.block(command, spec, scope)

    def block(self, command: Command, spec: CommandSpec, scope: _Scope) -> None:
        block = command.block
        if spec.block and block is None:
            self.report(
                "missing-block",
                command.name_span,
                f"'{command.name}' needs a block in braces",
                f"write {command.name} … {{ commands }}",
            )
        elif not spec.block and block is not None:
            self.report(
                "unexpected-block",
                block.span,
                f"'{command.name}' takes no block",
                "end the command with ';' and put the commands after it",
            )
        if block is None:
            return
        name = command.name
        label = _tag_string(command.arguments, "name") if name == "foreverypart" else None
        required = scope.required  # shared: only a block guarded by ihave adds to it
        ihave = _ihave_capabilities(command) if name in _CONTROL_FLOW else None
        if ihave is not None:
            # RFC 5463 §4: a block guarded by ihave is only checked when the server has
            # what it asks for, and then as if it had been required.
            if not all(name in self.registry.enabled for name in ihave):
                return
            required = required | set(ihave)
        inner = _Scope(
            required,
            (*scope.enclosing, name),
            (*scope.loop_names, label) if label is not None else scope.loop_names,
        )
        self.commands(block.commands, inner)

    # Tests.

    def test(self, test: Test, scope: _Scope) -> None:
        provided = self.registry.tests.get(test.name)
        if provided is None:
            if self.dialect == "oracle" and _looks_like_callout(test):
                return  # a mapping-table callout: the table is checked with the mappings
            self.unknown(test.name, _name_span(test), "test", scope)
            return
        spec = provided.spec
        assert isinstance(spec, TestSpec)
        capability = provided.capability
        if capability and capability not in scope.required:
            self.needs(provided, _name_span(test), f"the test '{test.name}'", scope)
        self.arguments(test.arguments, spec, test, scope)
        wanted = spec.signature.tests
        if test.test is not None or wanted is not SubTests.NONE:
            self.subtests(test.test, wanted, test, scope)

    def subtests(
        self, given: Test | TestList | None, wanted: SubTests, node: Command | Test, scope: _Scope
    ) -> None:
        if wanted is SubTests.NONE:
            if given is not None:
                self.report(
                    "unexpected-test", given.span, "no test is allowed here", "remove this test"
                )
            return
        if given is None:
            self.report(
                "missing-test", _where(node), f"{wanted.value} is missing here", _test_hint(wanted)
            )
            return
        if isinstance(given, TestList):
            if wanted is SubTests.ONE:
                self.report(
                    "test-expected",
                    given.span,
                    "a single test is expected here, not a test list",
                    "remove the parentheses, or combine the tests with allof (…) or anyof (…)",
                )
            for test in given.tests:
                self.test(test, scope)
            return
        assert isinstance(given, Test)
        if wanted is SubTests.LIST and not given.parenthesized:
            self.report(
                "test-list-expected",
                given.span,
                "a test list in parentheses is expected here",
                "write the tests as (test1, test2)",
            )
        self.test(given, scope)

    # Arguments.

    def arguments(
        self,
        arguments: list[Argument],
        spec: CommandSpec | TestSpec,
        node: Command | Test,
        scope: _Scope,
    ) -> None:
        for argument in arguments:
            kind = type(argument)
            if kind is String:
                if "${" in argument.value:  # type: ignore[union-attr]
                    self.substituted.append(argument)  # type: ignore[arg-type]
            elif kind is StringList or kind is Callout:
                self.substituted.extend(s for s in string_nodes(argument) if "${" in s.value)
        if self.tracks_globals:
            self.track_variables(arguments, spec)
        signature = self.signatures.get(id(spec))
        if signature is None or signature.spec is not spec:
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
                    _where(node),
                    f"'{spec.name}' needs one of {options}",
                    f"add one of {options}",
                )
        given = arguments[index:] if index else arguments
        self.positionals(given, signature, node)
        if groups and groups.get(MATCH_TYPE) == "regex":
            self.regex_keys(arguments, spec)
        if groups and groups.get(MATCH_TYPE) in _SUBSTRING_MATCHES and COMPARATOR in groups:
            self.substring_comparator(arguments, groups[MATCH_TYPE])
        if spec.name in _FLAG_COMMANDS and len(given) == 2:
            self.flag_variable(spec.name, given[0], node, scope)

    def track_variables(self, arguments: list[Argument], spec: CommandSpec | TestSpec) -> None:
        """RFC 6609 §3.4: a name the script has already used as a local variable (set, or
        referenced as ${name}) cannot be declared global afterwards; Pigeonhole refuses
        it too. Called for each command and test in source order."""
        if isinstance(spec, CommandSpec) and spec.name == "global":
            for argument in arguments:
                for string in string_nodes(argument):
                    key = string.value.lower()
                    if key in self.local_names and key not in self.global_names:
                        self.report(
                            "global-after-local",
                            string.span,
                            f"'{string.value}' is declared global after its use as a local "
                            "variable",
                            "move the global command above the first use of the variable",
                        )
                    else:
                        self.global_names.add(key)
            return
        for argument in arguments:
            for string in string_nodes(argument):
                if "${" in string.value:
                    for match in _PLAIN_REFERENCE.finditer(string.value):
                        self._used_locally(match.group(1))
        positionals = split_arguments(arguments, self.registry.valued_tags(spec))[1]
        for positional, argument in zip(spec.signature.positionals, positionals, strict=False):
            if positional.role in _VARIABLE_ROLES:
                for string in string_nodes(argument):
                    self._used_locally(string.value)

    def _used_locally(self, name: str) -> None:
        key = name.lower()
        if key not in self.global_names:
            self.local_names.add(key)

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

    def flag_variable(
        self, name: str, variable: Argument, node: Command | Test, scope: _Scope
    ) -> None:
        """RFC 5232 §3-4: the two-argument forms name a variable holding the flags, which
        needs "variables", and the actions name exactly one variable."""
        if "variables" not in scope.required and "variables" not in self.missing:
            self.missing.add("variables")  # one report: its hint fixes every use
            self.report(
                "missing-require",
                variable.span,
                f"'{name}' with a variable name needs the capability 'variables'",
                'add require "variables"; at the top of the script',
            )
        if name != "hasflag" and isinstance(variable, StringList) and len(variable.strings) != 1:
            self.report(
                "bad-variable-name",
                variable.span,
                f"'{name}' takes one variable name here, not a list",
                "name a single variable as a plain string",
            )

    def tags(
        self, arguments: list[Argument], signature: _Signature, scope: _Scope
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
            capability = known.capability
            if capability and capability not in scope.required:
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
        self, given: list[Argument], signature: _Signature, node: Command | Test
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
                _where(node),
                f"'{spec.name}' needs its {', '.join(missing)}",
                f"{spec.name} takes: {_describe_signature(spec)}",
            )
            return
        if len(given) > len(declared):
            self.report(
                "too-many-arguments",
                given[len(declared)].span,
                f"'{spec.name}' takes {len(declared)} positional argument(s), not {len(given)}",
                f"{spec.name} takes: {_describe_signature(spec)}",
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

    def wrong_type(self, argument: Argument, kind: Arg, what: str) -> None:
        self.report(
            "wrong-argument-type",
            argument.span,
            f"{what} must be {kind.value}, not {_describe_argument(argument)}",
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

    def comparator(self, value: Argument, scope: _Scope) -> None:
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

    def regex_keys(self, arguments: list[Argument], spec: CommandSpec | TestSpec) -> None:
        """draft-ietf-sieve-regex: the key list of a :regex match must hold valid regular
        expressions, checked with the engine the interpreter runs (RE2)."""
        import re2

        keys = [a for a in arguments if not isinstance(a, Tag)]
        if not keys:
            return
        options = re2.Options()
        options.log_errors = False
        for string in string_nodes(keys[-1]):
            if "${" in string.value:
                continue
            try:
                re2.compile(string.value, options)
            except re2.error as error:
                reason = error.args[0] if error.args else error
                if isinstance(reason, bytes):
                    reason = reason.decode("utf-8", "replace")
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

    # Names nobody offers.

    def needs(self, provided: Provided, span: Span, what: str, scope: _Scope) -> None:
        capability = provided.capability
        if capability and capability not in scope.required:
            if capability in self.missing:
                return  # one report per missing require: its hint fixes every use
            self.missing.add(capability)
            self.report(
                "missing-require",
                span,
                f"{what} needs the capability '{capability}'",
                f'add require "{capability}"; at the top of the script',
            )

    def unknown(self, name: str, span: Span, kind: str, scope: _Scope) -> None:
        other = self.registry.tests if kind == "command" else self.registry.commands
        if name in other:
            self.report(
                f"unknown-{kind}",
                span,
                f"'{name}' is a {'test' if kind == 'command' else 'command'}, not a {kind}",
                "tests go after if or elsif; commands stand on their own, ending with ';'",
            )
            return
        elsewhere = _provider_anywhere(name, kind)
        if elsewhere is not None:
            self.report(
                f"unknown-{kind}",
                span,
                f"the {kind} '{name}' needs the capability '{elsewhere}', which is not enabled",
                "enable that extension on the server, or do without it",
            )
            return
        names = self.registry.commands if kind == "command" else self.registry.tests
        closest = self.registry.closest(name, names)
        self.report(
            f"unknown-{kind}",
            span,
            f"unknown {kind} '{name}'",
            f"did you mean '{closest}'?" if closest else f"see RFC 5228 for the {kind}s of Sieve",
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


def check(
    script: Script,
    *,
    extensions: Iterable[str] | None = None,
    dialect: str = "standard",
    limits: Limits | None = None,
) -> list[Diagnostic]:
    """Every semantic error of a parsed script, with the given capabilities enabled (None:
    all that this dialect knows), up to the limit of diagnostics."""
    checker = Checker(Registry.shared(extensions, dialect), dialect)
    checker.script(script)
    return capped(checker.diagnostics, (limits or Limits()).max_diagnostics)


def _warning(code: str, span: Span, message: str, hint: str) -> Diagnostic:
    return Diagnostic(
        code, WARNING, span.line, span.column, span.end_line, span.end_column, message, hint
    )


def _tag_string(arguments: list[Argument], name: str) -> str | None:
    for index, argument in enumerate(arguments[:-1]):
        if isinstance(argument, Tag) and argument.name == name:
            value = arguments[index + 1]
            return value.value if isinstance(value, String) else None
    return None


_SUBSTRING_MATCHES = frozenset({"contains", "matches", "regex"})
_FLAG_COMMANDS = frozenset({"setflag", "addflag", "removeflag", "hasflag"})


def _where(node: Command | Test) -> Span:
    """Where diagnostics about a command or test point: at its name."""
    return node.name_span if type(node) is Command else _name_span(node)  # type: ignore[union-attr,arg-type]


def _name_span(test: Test) -> Span:
    source, start, _ = test.span
    if test.parenthesized:
        return test.span
    return Span(source, start, start + len(test.name))


def _ihave_capabilities(command: Command) -> list[str] | None:
    test = command.test
    if command.name not in _CONTROL_FLOW or not isinstance(test, Test) or test.name != "ihave":
        return None
    names = [a for a in test.arguments if isinstance(a, String | StringList)]
    return [s.value for s in string_nodes(names[0])] if names else None


def _looks_like_callout(test: Test) -> bool:
    return test.test is None and len(test.arguments) == 1 and isinstance(test.arguments[0], String)


def _provider_anywhere(name: str, kind: str) -> str | None:
    for extension in all_extensions().values():
        specs = extension.commands if kind == "command" else extension.tests
        if any(spec.name == name for spec in specs):
            return extension.capability
    return None


def _describe_argument(argument: Argument) -> str:
    return {
        String: "a string",
        StringList: "a string list",
        Number: "a number",
        Tag: "a tag",
        Callout: "a callout",
    }.get(type(argument), "this")


def _describe_signature(spec: CommandSpec | TestSpec) -> str:
    parts = [f"[{p.name}]" if p.optional else p.name for p in spec.signature.positionals]
    if spec.signature.tests is not SubTests.NONE:
        parts.append(spec.signature.tests.value)
    return " ".join(parts) or "no arguments"


def _test_hint(wanted: SubTests) -> str:
    if wanted is SubTests.LIST:
        return "write the tests in parentheses: anyof (test1, test2)"
    return 'write a test such as header :contains "Subject" "x" or true'


__all__ = ["Checker", "check"]
