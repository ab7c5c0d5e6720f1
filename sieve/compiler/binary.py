"""The `.svbc` file: a Program as bytes, and back. Loading validates everything and never
executes anything (no pickle, no marshal): a file is data to be checked, whoever wrote it.

Layout, little-endian, sections of fixed-size records so that loading is a few `struct`
calls rather than a loop over bytes:

    magic "SVBC\\r\\n\\x1a\\n" | u16 format version | header: 8 u32 counts
    | string table: the strings NUL-joined, UTF-8 (a compiled script holds no NUL)
    | constants: (u8 kind, u8 has-variables, u64 number, u32 a, u32 b, u32 callout + 1)
      kind s: string a; l: list of b items from list-item a; n: the number
    | list items: u32 string indices
    | calls: (u32 name, u8 callout, u32 first tag, u32 tags, u32 first positional, u32 count)
    | tags: (u32 name, u32 constant + 1, 0 for none) | positionals: u32 constant indices
    | instructions: (u8 op, u32 operand 1 + 1, u32 operand 2 + 1, u32 line)
    | SHA-256 of everything before it

Strings are indices into the table: the dialect, the name and the capabilities first.
"""

from __future__ import annotations

import hashlib
import struct

from sieve.compiler.program import (
    CALL_OPERAND,
    JUMP_OPERANDS,
    NO_VALUE,
    OPERANDS,
    Call,
    Constant,
    Instruction,
    Op,
    Program,
)

MAGIC = b"SVBC\r\n\x1a\n"
VERSION = 2
_CHECKSUM = 32
_VERSION = struct.Struct("<H")
_HEADER = struct.Struct("<8I")
_CONSTANT = struct.Struct("<BBQIII")
_U32 = struct.Struct("<I")
_PAIR = struct.Struct("<II")
_CALL = struct.Struct("<IBIIII")
_INSTRUCTION = struct.Struct("<BIII")
_KINDS = {b"s"[0]: "s", b"l"[0]: "l", b"n"[0]: "n"}


class BinaryError(ValueError):
    """A .svbc file that cannot be loaded; the message says why."""


class _Strings:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.items)
            self.items.append(text)
        return found


def to_bytes(program: Program) -> bytes:
    strings = _Strings()
    strings(program.dialect)
    strings(program.name)
    for capability in program.capabilities:
        strings(capability)
    constants = bytearray()
    items = bytearray()
    item_count = 0
    for constant in program.constants:
        value = constant.value
        callout = strings(constant.callout) + 1 if constant.callout is not None else 0
        if isinstance(value, int):
            record = (b"n"[0], constant.has_variables, value, 0, 0, callout)
        elif isinstance(value, tuple):
            for item in value:
                items += _U32.pack(strings(item))
            record = (b"l"[0], constant.has_variables, 0, item_count, len(value), callout)
            item_count += len(value)
        else:
            record = (b"s"[0], constant.has_variables, 0, strings(value), 0, callout)
        constants += _CONSTANT.pack(*record)
    calls = bytearray()
    tags = bytearray()
    positionals = bytearray()
    tag_count = positional_count = 0
    for call in program.calls:
        calls += _CALL.pack(
            strings(call.name), call.callout, tag_count, len(call.tags), positional_count,
            len(call.positionals),
        )  # fmt: skip
        for name, value in call.tags:
            tags += _PAIR.pack(strings(name), value + 1)
        for index in call.positionals:
            positionals += _U32.pack(index)
        tag_count += len(call.tags)
        positional_count += len(call.positionals)
    code = bytearray()
    for instruction in program.instructions:
        operands = [*instruction.operands, NO_VALUE, NO_VALUE][:2]
        code += _INSTRUCTION.pack(
            instruction.op, operands[0] + 1, operands[1] + 1, instruction.line
        )
    table = "\x00".join(strings.items).encode("utf-8", "surrogatepass")
    header = _HEADER.pack(
        len(strings.items), len(table), len(program.capabilities), len(program.constants),
        item_count, len(program.calls), tag_count, positional_count,
    )  # fmt: skip
    body = b"".join(
        [
            MAGIC,
            _VERSION.pack(VERSION),
            header,
            table,
            bytes(constants),
            bytes(items),
            bytes(calls),
            bytes(tags),
            bytes(positionals),
            _U32.pack(len(program.instructions)),
            bytes(code),
        ]
    )
    return body + hashlib.sha256(body).digest()


class _Sections:
    """Cuts the body into its sections, refusing any that would run past its end."""

    def __init__(self, body: bytes, at: int) -> None:
        self.body = body
        self.at = at

    def take(self, size: int, what: str) -> bytes:
        end = self.at + size
        if end > len(self.body):
            raise BinaryError(f"the file is truncated (in the {what})")
        chunk = self.body[self.at : end]
        self.at = end
        return chunk


def from_bytes(data: bytes) -> Program:
    """The Program in `data`, or BinaryError saying what is wrong with it."""
    if not data.startswith(MAGIC):
        raise BinaryError("not a compiled Sieve script (bad magic)")
    if len(data) < len(MAGIC) + _VERSION.size + _CHECKSUM:
        raise BinaryError("the file is truncated")
    body, checksum = data[:-_CHECKSUM], data[-_CHECKSUM:]
    (version,) = _VERSION.unpack_from(body, len(MAGIC))
    if version != VERSION:
        raise BinaryError(f"format version {version}; this sieve reads version {VERSION}")
    if hashlib.sha256(body).digest() != checksum:
        raise BinaryError("checksum mismatch: the file is corrupted")
    sections = _Sections(body, len(MAGIC) + _VERSION.size)
    (
        string_count, table_size, capability_count, constant_count, item_count, call_count,
        tag_count, positional_count,
    ) = _HEADER.unpack(sections.take(_HEADER.size, "header"))  # fmt: skip
    try:
        strings = (
            sections.take(table_size, "strings").decode("utf-8", "surrogatepass").split("\x00")
        )
    except UnicodeDecodeError as error:
        raise BinaryError("the string table is not UTF-8") from error
    if len(strings) != string_count or string_count < 2 + capability_count:
        raise BinaryError("the string table does not hold the strings the header counts")
    constants_raw = list(
        _CONSTANT.iter_unpack(sections.take(_CONSTANT.size * constant_count, "constants"))
    )
    items = [i for (i,) in _U32.iter_unpack(sections.take(4 * item_count, "list items"))]
    calls_raw = list(_CALL.iter_unpack(sections.take(_CALL.size * call_count, "calls")))
    tags_raw = list(_PAIR.iter_unpack(sections.take(_PAIR.size * tag_count, "tags")))
    positionals = [i for (i,) in _U32.iter_unpack(sections.take(4 * positional_count, "arguments"))]
    (instruction_count,) = _U32.unpack(sections.take(4, "instruction count"))
    code = list(
        _INSTRUCTION.iter_unpack(
            sections.take(_INSTRUCTION.size * instruction_count, "instructions")
        )
    )
    if sections.at != len(body):
        raise BinaryError(f"{len(body) - sections.at} unexpected bytes after the instructions")

    _check_indices(items, string_count, "a list item")
    constants = tuple(_constant(record, strings, items) for record in constants_raw)
    _check_indices([name for name, _ in tags_raw], string_count, "a tag name")
    _check_indices([value - 1 for _, value in tags_raw if value], constant_count, "a tag value")
    _check_indices(positionals, constant_count, "an argument")
    calls = tuple(_call(record, strings, tags_raw, positionals) for record in calls_raw)
    instructions = tuple(
        _instruction(record, constant_count, call_count, instruction_count) for record in code
    )
    return Program(
        tuple(strings[2 : 2 + capability_count]),
        constants,
        calls,
        instructions,
        strings[0],
        strings[1],
    )


def _check_indices(indices: list[int], limit: int, what: str) -> None:
    if indices and (max(indices) >= limit or min(indices) < 0):
        raise BinaryError(f"{what} refers to a missing entry")


def _constant(record: tuple[int, ...], strings: list[str], items: list[int]) -> Constant:
    kind_byte, has_variables, number, a, b, callout = record
    kind = _KINDS.get(kind_byte)
    if kind is None or has_variables > 1:
        raise BinaryError("a constant has an unknown kind")
    if callout > len(strings):
        raise BinaryError("a callout refers to a missing table name")
    table = strings[callout - 1] if callout else None
    value: str | tuple[str, ...] | int
    if kind == "n":
        value = number
    elif kind == "s":
        if a >= len(strings):
            raise BinaryError("a string constant refers to a missing string")
        value = strings[a]
    else:
        if a + b > len(items):
            raise BinaryError("a list constant runs past the list items")
        value = tuple(strings[i] for i in items[a : a + b])
    return Constant(value, bool(has_variables), table)


def _call(
    record: tuple[int, ...],
    strings: list[str],
    tags: list[tuple[int, int]],
    positionals: list[int],
) -> Call:
    name, callout, first_tag, tag_count, first_positional, positional_count = record
    if name >= len(strings) or callout > 1:
        raise BinaryError("a call refers to a missing name")
    if first_tag + tag_count > len(tags) or first_positional + positional_count > len(positionals):
        raise BinaryError(f"the call of {strings[name]} runs past its tags or arguments")
    return Call(
        strings[name],
        tuple((strings[t], v - 1) for t, v in tags[first_tag : first_tag + tag_count]),
        tuple(positionals[first_positional : first_positional + positional_count]),
        bool(callout),
    )


# For each op code: the op, how many operands it takes and what each operand refers to.
_JUMP, _CALL_REF, _CONSTANT_REF = "jump", "call", "constant"
_OPS = {
    op.value: (
        op,
        tuple(
            _JUMP
            if position in JUMP_OPERANDS.get(op, ())
            else _CALL_REF
            if op in CALL_OPERAND
            else _CONSTANT_REF
            for position in range(OPERANDS[op])
        ),
    )
    for op in Op
}


def _instruction(record: tuple[int, ...], constants: int, calls: int, count: int) -> Instruction:
    code, first, second, line = record
    known = _OPS.get(code)
    if known is None:
        raise BinaryError(f"unknown instruction {code}")
    op, kinds = known
    operands = (first - 1, second - 1)[: len(kinds)]
    if (len(kinds) < 2 and second) or (not kinds and first):
        raise BinaryError(f"{op.name} has operands it does not take")
    for kind, operand in zip(kinds, operands, strict=False):
        if kind is _JUMP:
            # A jump may go to the end of the program (one past the last instruction).
            if not 0 <= operand <= count:
                raise BinaryError(f"{op.name} jumps out of the program")
        elif kind is _CALL_REF:
            if not 0 <= operand < calls:
                raise BinaryError(f"{op.name} refers to a missing call")
        elif not NO_VALUE <= operand < constants:
            raise BinaryError(f"{op.name} refers to a missing constant")
    return Instruction(op, operands, line)
