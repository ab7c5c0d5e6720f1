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

from sieve.check.arguments import ArgumentChecks
from sieve.check.describe import subtests_hint, warning
from sieve.check.scope import Scope
from sieve.check.signatures import SIGNATURES, Signature, build_signature
from sieve.compiler.encoded import not_characters
from sieve.diagnostics import ERROR, Diagnostic, capped
from sieve.extensions.registry import Provided, Registry, all_extensions
from sieve.extensions.spec import CommandSpec, SubTests, TestSpec
from sieve.runtime.limits import Limits
from sieve.syntax.ast import (
    Command,
    Script,
    String,
    StringList,
    Test,
    TestList,
    string_nodes,
    tag_string,
)
from sieve.syntax.source import Span

_CONTROL_FLOW = {"if", "elsif", "else"}
_NAMESPACED_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\}")


class Checker(ArgumentChecks):
    def __init__(self, registry: Registry, dialect: str) -> None:
        self.registry = registry
        self.dialect = dialect
        self.diagnostics: list[Diagnostic] = []
        self.missing: set[str] = set()
        # The capabilities the script's require commands name, once `script()` has run.
        self.required: set[str] = set()
        # The strings of checked commands and tests that hold "${", gathered on the way.
        self.substituted: list[String] = []
        self.signatures = SIGNATURES.setdefault(registry, {})
        # With "include": the variables used so far as local ones and those declared global
        # (lower case), for RFC 6609 §3.4's rule that a local cannot later become global.
        self.tracks_globals = False
        self.local_names: set[str] = set()
        self.global_names: set[str] = set()

    def signature(self, spec: CommandSpec | TestSpec) -> Signature:
        found = self.signatures.get(id(spec))
        if found is None or found.spec is not spec:
            found = self.signatures[id(spec)] = build_signature(self.registry, spec)
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
        self.commands(script.commands, Scope(required), top_level=True)
        if "encoded-character" in required:
            self.encoded_characters()
        if "variables" in required:
            self.variable_references()

    def variable_references(self) -> None:
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

    def encoded_characters(self) -> None:
        """RFC 5228 §2.4.2.4: `${unicode:…}` may only name Unicode scalar values."""
        for string in self.substituted:
            for encoding, value in not_characters(string.value):
                self.report(
                    "bad-encoded-character",
                    string.span,
                    f"U+{value:04X} in '{encoding}' is not a Unicode character",
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

    def commands(self, commands: list[Command], scope: Scope, top_level: bool = False) -> None:
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

    def command(self, command: Command, scope: Scope, previous: str | None) -> None:
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
                warning(
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
        # needs() checks this too; asking first spares every command a span and a message.
        if provided.capability and provided.capability not in scope.required:
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
            label = tag_string(command.arguments, "name")
            if label is not None and label not in scope.loop_names:
                self.report(
                    "unknown-loop-name",
                    command.name_span,
                    f"no enclosing foreverypart loop is named '{label}'",
                    "break :name must name a foreverypart that encloses it",
                )
        for capability in spec.needs:
            self.needs(
                Provided(spec, capability), command.name_span, f"the command '{name}'", scope
            )
        self.arguments(command.arguments, spec, command, scope)
        wanted = spec.signature.tests
        if command.test is not None or wanted is not SubTests.NONE:
            self.subtests(command.test, wanted, command, scope)
        if spec.block or command.block is not None:
            self.block(command, spec, scope)

    def block(self, command: Command, spec: CommandSpec, scope: Scope) -> None:
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
        label = tag_string(command.arguments, "name") if name == "foreverypart" else None
        required = scope.required  # shared: only a block guarded by ihave adds to it
        ihave = _ihave_capabilities(command) if name in _CONTROL_FLOW else None
        if ihave is not None:
            # RFC 5463 §4: a block guarded by ihave is only checked when the server has
            # what it asks for, and then as if it had been required.
            if not all(name in self.registry.enabled for name in ihave):
                return
            required = required | set(ihave)
        inner = Scope(
            required,
            (*scope.enclosing, name),
            (*scope.loop_names, label) if label is not None else scope.loop_names,
        )
        self.commands(block.commands, inner)

    # Tests.

    def test(self, test: Test, scope: Scope) -> None:
        provided = self.registry.tests.get(test.name)
        if provided is None:
            if self.dialect == "oracle" and _looks_like_callout(test):
                return  # a mapping-table callout: the table is checked with the mappings
            self.unknown(test.name, test.name_span, "test", scope)
            return
        spec = provided.spec
        assert isinstance(spec, TestSpec)
        if provided.capability and provided.capability not in scope.required:
            self.needs(provided, test.name_span, f"the test '{test.name}'", scope)
        self.arguments(test.arguments, spec, test, scope)
        wanted = spec.signature.tests
        if test.test is not None or wanted is not SubTests.NONE:
            self.subtests(test.test, wanted, test, scope)

    def subtests(
        self, given: Test | TestList | None, wanted: SubTests, node: Command | Test, scope: Scope
    ) -> None:
        if wanted is SubTests.NONE:
            if given is not None:
                self.report(
                    "unexpected-test", given.span, "no test is allowed here", "remove this test"
                )
            return
        if given is None:
            self.report(
                "missing-test",
                node.name_span,
                f"{wanted.value} is missing here",
                subtests_hint(wanted),
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

    # Names nobody offers.

    def needs(self, provided: Provided, span: Span, what: str, scope: Scope) -> None:
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

    def unknown(self, name: str, span: Span, kind: str, scope: Scope) -> None:
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


__all__ = ["Checker", "check"]
