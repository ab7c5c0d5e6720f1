"""Checked syntax tree → Program. Tests compile to short-circuit jumps over one condition
flag; commands and tests become calls whose arguments are resolved against their
signatures once, here, so the VM never looks at tags positionally."""

from __future__ import annotations

from sieve.compiler.encoded import decode_encoded
from sieve.compiler.program import (
    NO_VALUE,
    Call,
    Constant,
    Instruction,
    Op,
    Program,
)
from sieve.extensions.registry import Registry
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
)
from sieve.syntax.source import Span


class Compiler:
    def __init__(self, registry: Registry, dialect: str, encoded: bool = False) -> None:
        self.registry = registry
        # RFC 5228 §2.4.2.4: with "encoded-character" required, ${hex:…} is decoded here.
        self.decode = decode_encoded if encoded else None
        self.dialect = dialect
        self.constants: list[Constant] = []
        self.constant_index: dict[tuple[object, ...], int] = {}
        self.calls: list[Call] = []
        self.call_index: dict[Call, int] = {}
        self.code: list[list[object]] = []  # [op, operands list, line], patched in place
        # Open foreverypart loops: (name constant, BREAK instructions to patch).
        self.loops: list[tuple[int, list[int]]] = []

    # Emitting.

    def emit(self, op: Op, operands: list[int], span: Span) -> int:
        self.code.append([op, operands, span.line])
        return len(self.code) - 1

    def here(self) -> int:
        return len(self.code)

    def patch(self, at: int, operand: int, target: int) -> None:
        self.code[at][1][operand] = target  # type: ignore[index]

    def constant(self, argument: Argument) -> int:
        decode = self.decode
        if isinstance(argument, String):
            value = decode(argument.value) if decode else argument.value
            key: tuple[object, ...] = ("s", value)
            constant = Constant(value, "${" in value)
        elif isinstance(argument, StringList):
            values = tuple(decode(s.value) if decode else s.value for s in argument.strings)
            key = ("l", values)
            constant = Constant(values, any("${" in v for v in values))
        elif isinstance(argument, Number):
            key = ("n", argument.value)
            constant = Constant(argument.value)
        elif isinstance(argument, Callout):
            inner = argument.argument
            value = (
                inner.value if isinstance(inner, String) else tuple(s.value for s in inner.strings)
            )
            key = ("c", argument.name, value)
            constant = Constant(value, True, argument.name)
        else:  # pragma: no cover - tags never become constants
            raise TypeError(argument)
        index = self.constant_index.get(key)
        if index is None:
            index = self.constant_index[key] = len(self.constants)
            self.constants.append(constant)
        return index

    def call(
        self,
        name: str,
        arguments: list[Argument],
        valued_tags: frozenset[str],
        callout: bool = False,
    ) -> int:
        tag_pairs, positional_arguments = split_arguments(arguments, valued_tags)
        constant = self.constant
        tags = [
            (tag.name, NO_VALUE if value is None else constant(value)) for tag, value in tag_pairs
        ]
        positionals = [constant(argument) for argument in positional_arguments]
        call = Call(name, tuple(tags), tuple(positionals), callout)
        found = self.call_index.get(call)
        if found is None:
            found = self.call_index[call] = len(self.calls)
            self.calls.append(call)
        return found

    def valued_tags(self, name: str, kind: str) -> frozenset[str]:
        provided = (self.registry.commands if kind == "command" else self.registry.tests).get(name)
        if provided is None:
            return frozenset()
        return self.registry.valued_tags(provided.spec)  # type: ignore[arg-type]

    # The tree.

    def script(self, script: Script) -> None:
        self.commands(script.commands)

    def commands(self, commands: list[Command]) -> None:
        # RFC 5228 §3.1: an if with its elsif/else branches is one chain.
        index = 0
        while index < len(commands):
            command = commands[index]
            if command.name == "if":
                chain = [command]
                index += 1
                while index < len(commands) and commands[index].name in ("elsif", "else"):
                    chain.append(commands[index])
                    index += 1
                    if chain[-1].name == "else":
                        break
                self.if_chain(chain)
                continue
            self.command(command)
            index += 1

    def if_chain(self, chain: list[Command]) -> None:
        ends: list[int] = []
        for branch in chain:
            skip = None
            if branch.name != "else" and branch.test is not None:
                self.test(branch.test)
                skip = self.emit(Op.JUMP_IF_FALSE, [0], branch.span)
            if branch.block is not None:
                self.commands(branch.block.commands)
            if branch is not chain[-1]:
                ends.append(self.emit(Op.JUMP, [0], branch.span))
            if skip is not None:
                self.patch(skip, 0, self.here())
        for end in ends:
            self.patch(end, 0, self.here())

    def command(self, command: Command) -> None:
        alias = self.registry.aliases.get(command.name)
        name = alias.means if alias is not None else command.name
        if name == "require":
            return  # the program's capability list
        if name == "stop":
            self.emit(Op.STOP, [], command.span)
        elif name == "foreverypart":
            self.loop(command)
        elif name == "break":
            self.break_(command)
        elif name in ("elsif", "else"):  # pragma: no cover - the checker refuses them alone
            return
        else:
            call = self.call(name, command.arguments, self.valued_tags(name, "command"))
            self.emit(Op.CALL_COMMAND, [call], command.span)
            if command.block is not None:  # pragma: no cover - the checker refuses it
                self.commands(command.block.commands)

    def loop(self, command: Command) -> None:
        label = _tag_value(command.arguments, "name")
        name = self.constant(label) if label is not None else NO_VALUE
        begin = self.emit(Op.LOOP_BEGIN, [name, 0], command.span)
        self.loops.append((name, []))
        if command.block is not None:
            self.commands(command.block.commands)
        self.emit(Op.LOOP_NEXT, [begin], command.span)
        _, breaks = self.loops.pop()
        exit_ = self.here()
        self.patch(begin, 1, exit_)
        for at in breaks:
            self.patch(at, 1, exit_)

    def break_(self, command: Command) -> None:
        label = _tag_value(command.arguments, "name")
        wanted = None
        if isinstance(label, String):
            # Decoded as the loop's name constant was (${hex:…} with encoded-character).
            wanted = self.decode(label.value) if self.decode else label.value
        # RFC 5703 §3.2: break leaves the innermost loop, or the one with that name.
        for name, breaks in reversed(self.loops):
            own = self.constants[name].value if name != NO_VALUE else None
            if wanted is None or own == wanted:
                breaks.append(self.emit(Op.BREAK, [name, 0], command.span))
                return
        self.emit(Op.STOP, [], command.span)  # pragma: no cover - the checker refuses it

    def test(self, test: Test | TestList) -> None:
        if isinstance(test, TestList):  # pragma: no cover - only inside allof/anyof
            for inner in test.tests:
                self.test(inner)
            return
        name = test.name
        inner = test.test
        if name == "not" and isinstance(inner, Test):
            self.test(inner)
            self.emit(Op.NOT, [], test.span)
        elif name in ("allof", "anyof") and inner is not None:
            tests = inner.tests if isinstance(inner, TestList) else [inner]
            # allof stops at the first false test, anyof at the first true one.
            jump = Op.JUMP_IF_FALSE if name == "allof" else Op.JUMP_IF_TRUE
            exits = []
            for index, one in enumerate(tests):
                self.test(one)
                if index < len(tests) - 1:
                    exits.append(self.emit(jump, [0], test.span))
            for at in exits:
                self.patch(at, 0, self.here())
        else:
            callout = name not in self.registry.tests
            call = self.call(name, test.arguments, self.valued_tags(name, "test"), callout)
            self.emit(Op.CALL_TEST, [call], test.span)

    def program(self, capabilities: tuple[str, ...], name: str) -> Program:
        instructions = tuple(
            Instruction(op, tuple(operands), line) for op, operands, line in self.code
        )  # type: ignore[misc,arg-type]
        return Program(
            capabilities, tuple(self.constants), tuple(self.calls), instructions, self.dialect, name
        )


def compile_script(
    script: Script, capabilities: tuple[str, ...], registry: Registry, dialect: str, name: str = ""
) -> Program:
    compiler = Compiler(registry, dialect, "encoded-character" in capabilities)
    compiler.script(script)
    return compiler.program(capabilities, name)


def _tag_value(arguments: list[Argument], tag: str) -> Argument | None:
    for index, argument in enumerate(arguments):
        if isinstance(argument, Tag) and argument.name == tag and index + 1 < len(arguments):
            return arguments[index + 1]
    return None
