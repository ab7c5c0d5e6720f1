"""The `.svbc` file: a Program as bytes, and back. Loading validates everything and never
executes anything (no pickle, no marshal): a file is data to be checked, whoever wrote it.

Layout (integers are unsigned LEB128 varints, strings are a varint length and UTF-8):

    magic "SVBC\\r\\n\\x1a\\n" | format version | dialect | name | capabilities
    | constants | calls | instructions | SHA-256 of everything before it

A constant is a kind byte (s string, l list, n number, plus c for an Oracle callout, which
is followed by its table name) then its value and a has-variables byte. A call is its name,
a callout byte, its tags (name, constant index + 1, 0 for none) and its positionals. An
instruction is its op byte, its operands (constant, call or instruction indices, + 1 where
-1 means none) and its line.
"""

from __future__ import annotations

import hashlib

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
VERSION = 1
_CHECKSUM = 32


class BinaryError(ValueError):
    """A .svbc file that cannot be loaded; the message says why."""


class _Writer:
    def __init__(self) -> None:
        self.out = bytearray()

    def number(self, value: int) -> None:
        if value < 0:
            raise ValueError("negative numbers are stored shifted by one")
        while True:
            byte = value & 0x7F
            value >>= 7
            if value:
                self.out.append(byte | 0x80)
            else:
                self.out.append(byte)
                return

    def text(self, value: str) -> None:
        data = value.encode("utf-8", "surrogatepass")
        self.number(len(data))
        self.out += data


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def byte(self) -> int:
        if self.at >= len(self.data):
            raise BinaryError("the file is truncated")
        value = self.data[self.at]
        self.at += 1
        return value

    def number(self) -> int:
        value = shift = 0
        while True:
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
            if shift > 70:
                raise BinaryError(f"a number at byte {self.at} is too long")

    def count(self, what: str) -> int:
        value = self.number()
        if value > len(self.data):
            raise BinaryError(f"impossible {what} count {value}")
        return value

    def text(self) -> str:
        length = self.count("text length")
        end = self.at + length
        if end > len(self.data):
            raise BinaryError("the file is truncated")
        chunk = self.data[self.at : end]
        self.at = end
        try:
            return chunk.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as error:
            raise BinaryError(f"invalid text at byte {self.at - length}") from error


def to_bytes(program: Program) -> bytes:
    writer = _Writer()
    writer.out += MAGIC
    writer.number(VERSION)
    writer.text(program.dialect)
    writer.text(program.name)
    writer.number(len(program.capabilities))
    for capability in program.capabilities:
        writer.text(capability)
    writer.number(len(program.constants))
    for constant in program.constants:
        _write_constant(writer, constant)
    writer.number(len(program.calls))
    for call in program.calls:
        writer.text(call.name)
        writer.out.append(1 if call.callout else 0)
        writer.number(len(call.tags))
        for tag, value in call.tags:
            writer.text(tag)
            writer.number(value + 1)
        writer.number(len(call.positionals))
        for index in call.positionals:
            writer.number(index)
    writer.number(len(program.instructions))
    for instruction in program.instructions:
        writer.out.append(instruction.op)
        for operand in instruction.operands:
            writer.number(operand + 1)
        writer.number(instruction.line)
    body = bytes(writer.out)
    return body + hashlib.sha256(body).digest()


def _write_constant(writer: _Writer, constant: Constant) -> None:
    value = constant.value
    kind = b"n" if isinstance(value, int) else b"l" if isinstance(value, tuple) else b"s"
    if constant.callout is not None:
        kind = kind.upper()
    writer.out += kind
    if constant.callout is not None:
        writer.text(constant.callout)
    if isinstance(value, int):
        writer.number(value)
    elif isinstance(value, tuple):
        writer.number(len(value))
        for item in value:
            writer.text(item)
    else:
        writer.text(value)
    writer.out.append(1 if constant.has_variables else 0)


def from_bytes(data: bytes) -> Program:
    """The Program in `data`, or BinaryError saying what is wrong with it."""
    if not data.startswith(MAGIC):
        raise BinaryError("not a compiled Sieve script (bad magic)")
    if len(data) < len(MAGIC) + _CHECKSUM + 1:
        raise BinaryError("the file is truncated")
    body, checksum = data[:-_CHECKSUM], data[-_CHECKSUM:]
    reader = _Reader(body)
    reader.at = len(MAGIC)
    version = reader.number()
    if version != VERSION:
        raise BinaryError(f"format version {version}; this sieve reads version {VERSION}")
    if hashlib.sha256(body).digest() != checksum:
        raise BinaryError("checksum mismatch: the file is corrupted")
    dialect = reader.text()
    name = reader.text()
    capabilities = tuple(reader.text() for _ in range(reader.count("capability")))
    constants = tuple(_read_constant(reader) for _ in range(reader.count("constant")))
    calls = tuple(_read_call(reader, len(constants)) for _ in range(reader.count("call")))
    count = reader.count("instruction")
    instructions = tuple(
        _read_instruction(reader, len(constants), len(calls), count) for _ in range(count)
    )
    if reader.at != len(body):
        raise BinaryError(f"{len(body) - reader.at} unexpected bytes after the instructions")
    return Program(capabilities, constants, calls, instructions, dialect, name)


def _read_constant(reader: _Reader) -> Constant:
    kind = bytes([reader.byte()])
    callout = reader.text() if kind in (b"S", b"L", b"N") else None
    kind = kind.lower()
    value: str | tuple[str, ...] | int
    if kind == b"n":
        value = reader.number()
    elif kind == b"l":
        value = tuple(reader.text() for _ in range(reader.count("list item")))
    elif kind == b"s":
        value = reader.text()
    else:
        raise BinaryError(f"unknown constant kind {kind!r} at byte {reader.at - 1}")
    flag = reader.byte()
    if flag > 1:
        raise BinaryError(f"bad flag byte at {reader.at - 1}")
    return Constant(value, bool(flag), callout)


def _read_call(reader: _Reader, constants: int) -> Call:
    name = reader.text()
    callout = reader.byte()
    if callout > 1:
        raise BinaryError(f"bad flag byte at {reader.at - 1}")
    tags = []
    for _ in range(reader.count("tag")):
        tag = reader.text()
        value = reader.number() - 1
        if not NO_VALUE <= value < constants:
            raise BinaryError(f"tag :{tag} of {name} refers to a missing constant")
        tags.append((tag, value))
    positionals = []
    for _ in range(reader.count("argument")):
        index = reader.number()
        if index >= constants:
            raise BinaryError(f"an argument of {name} refers to a missing constant")
        positionals.append(index)
    return Call(name, tuple(tags), tuple(positionals), bool(callout))


def _read_instruction(reader: _Reader, constants: int, calls: int, count: int) -> Instruction:
    where = reader.at
    try:
        op = Op(reader.byte())
    except ValueError as error:
        raise BinaryError(f"unknown instruction at byte {where}") from error
    operands = tuple(reader.number() - 1 for _ in range(OPERANDS[op]))
    jumps = JUMP_OPERANDS.get(op, ())
    for position, operand in enumerate(operands):
        if position in jumps:
            # A jump may go to the end of the program (one past the last instruction).
            if not 0 <= operand <= count:
                raise BinaryError(f"{op.name} at byte {where} jumps out of the program")
        elif op in CALL_OPERAND:
            if not 0 <= operand < calls:
                raise BinaryError(f"{op.name} at byte {where} refers to a missing call")
        elif not NO_VALUE <= operand < constants:
            raise BinaryError(f"{op.name} at byte {where} refers to a missing constant")
    return Instruction(op, operands, reader.number())
