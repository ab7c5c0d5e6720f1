"""The `.svbc` file: a Program as bytes, and back. Loading validates everything and never
executes anything (no pickle, no marshal): a file is data to be checked, whoever wrote it.

Loading must cost a small fraction of compiling (issue 3: twenty times less at least), so
no Python code runs per constant, call or instruction. The file is laid out in columns,
one array per field, and the loader makes and checks a whole column with one C-level pass:
`itemgetter` gathers the objects an index column names (an index past its table raises
IndexError inside that pass), `zip` builds tuples, `bytes.translate` and `max` check
ranges. Little-endian throughout:

    magic "SVBC\\r\\n\\x1a\\n" | u16 format version | header: u32 counts (`_HEADER_FIELDS`)
    | string table: the strings NUL-joined, UTF-8 (a NUL inside a string, which only an
    |   encoded character can put there, is written U+0001 U+0002, and U+0001 doubled): the
      dialect, the name, the capabilities, the list constants' items list after list, then
      every other string once
    | u8 block: the constants' has-variables flags, the calls' callout flags, the op codes
    | zeros to a multiple of 8 | index block: the columns below, all u8, u16 or u32 (the
      header's width: the narrowest that holds the largest; u8 columns load as `bytes`,
      without a number object per entry)
    | zeros to a multiple of 8 | u64 block: the numbers
    | u32 CRC-32 of everything before it, against accidental damage (the loader checks
      everything else itself, so a file made to pass the CRC is still only data)

The index columns, in order:

    constants: values (into the pool strings + lists + numbers); callout tables (string
      + 1, or 0 for none) | lists: sizes | tags: names (strings); values + 1 (constants,
      0 for none) | tag sets: a tuple table of tags | argument tuples of two constants or
      more: a tuple table of constants | calls: names (strings), tag sets, arguments
      (into (), (0,), (1,), ... one for each constant, then those argument tuples) |
      instructions: operands (into the operand table); each compound shape's operand
      columns (each value less its kind's lowest); lines

A tuple table holds distinct tuples (those calls share are stored once) grouped by length:
(length, count) per group, then the items tuple after tuple, so that one `zip` makes a
group. The operand table is (), then (0,), (1,), ... enough for every call and every jump
target, then each compound shape's tuples (`LOOP_BEGIN name exit`); which part of it an
instruction may use depends on its op, and one big-integer AND checks that for all. The
one-item tuples of small numbers are shared between programs rather than made per load.
"""

from __future__ import annotations

import re
import struct
import sys
import zlib
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate, chain, repeat, starmap
from operator import itemgetter
from typing import Any

from sieve.compiler.program import (
    CALL_OPERAND,
    JUMP_OPERANDS,
    OPERANDS,
    Call,
    Constant,
    Instruction,
    Op,
    Program,
)

MAGIC = b"SVBC\r\n\x1a\n"
VERSION = 3
_VERSION = struct.Struct("<H")
_CHECKSUM = struct.Struct("<I")
_ALIGN = 8
_LITTLE_ENDIAN = sys.byteorder == "little" and struct.calcsize("I") == 4
_WIDTHS = {1: "B", 2: "H", 4: "I"}

# What an operand refers to; an op's shape is the kinds of its operands, in order.
_JUMP, _CALL, _CONSTANT = "jump", "call", "constant"
# Operands are stored less their kind's lowest value, so that every column is unsigned: a
# constant operand may be absent (-1, NO_VALUE: a loop without a name).
_LOWEST = {_JUMP: 0, _CALL: 0, _CONSTANT: -1}
_OPERAND_ERRORS = {
    _JUMP: "jumps out of the program",
    _CALL: "refers to a missing call",
    _CONSTANT: "refers to a missing constant",
}


def _shape(op: Op) -> tuple[str, ...]:
    return tuple(
        _JUMP if position in JUMP_OPERANDS.get(op, ()) else _CALL if op in CALL_OPERAND else
        _CONSTANT
        for position in range(OPERANDS[op])
    )  # fmt: skip


_SHAPES = {op: _shape(op) for op in Op}
# Shapes other than none, one call or one jump: their operands have columns of their own.
_COMPOUND = tuple(
    dict.fromkeys(shape for shape in _SHAPES.values() if shape not in ((), (_CALL,), (_JUMP,)))
)
# Op members by code (None where no op has it), so that loading maps bytes to ops without
# calling the enum.
_BY_CODE = {op.value: op for op in Op}
_OPS: tuple[Op | None, ...] = tuple(map(_BY_CODE.get, range(max(_BY_CODE) + 1)))
# The parts of the operand table as bits: the part an operand falls in, the part an op
# code needs (none for a code that is no op).
_NONE, _CALL_BIT, _JUMP_BIT = 1, 2, 4
_COMPOUND_BITS = tuple(8 << index for index in range(len(_COMPOUND)))
assert all(bit < 256 for bit in _COMPOUND_BITS), "too many compound shapes for a byte"
_SHAPE_BITS = {(): _NONE, (_CALL,): _CALL_BIT, (_JUMP,): _JUMP_BIT}
_SHAPE_BITS.update(zip(_COMPOUND, _COMPOUND_BITS, strict=True))
_NEEDS = bytes(_SHAPE_BITS[_SHAPES[op]] if op else 0 for op in _OPS).ljust(256, b"\x00")
# Shared one-item tuples of small numbers: most instructions and many calls take one, and
# sharing these immutable tuples between programs saves making and freeing each of them.
_SINGLES = tuple(zip(range(1024)))
_NO_OPERANDS: tuple[tuple[int, ...], ...] = ((),)
_BOOLS = (False, True)
_BYTES = bytes(range(256))
_HEADER_FIELDS = (
    "index width", "strings", "table", "capabilities", "constants", "numbers", "lists",
    "list items", "tags", "tag set groups", "tag set items", "argument groups",
    "argument items", "calls", "instructions",
    *(f"{'/'.join(shape)} operands" for shape in _COMPOUND),
)  # fmt: skip
_HEADER = struct.Struct(f"<{len(_HEADER_FIELDS)}I")


class BinaryError(ValueError):
    """A .svbc file that cannot be loaded; the message says why."""


# Writing.


class _Pool:
    """Distinct values in first-seen order, each with its index."""

    def __init__(self, first: Iterable[Any] = ()) -> None:
        self.items: list[Any] = list(first)
        self.index: dict[Any, int] = {}
        for index, item in enumerate(self.items):
            self.index.setdefault(item, index)

    def __call__(self, item: Any) -> int:
        found = self.index.get(item)
        if found is None:
            found = self.index[item] = len(self.items)
            self.items.append(item)
        return found


class _TupleTable:
    """A pool's tuples grouped by length, as the loader reads them: the groups' (length,
    count) pairs, the items tuple after tuple, and where each tuple of the pool lands."""

    def __init__(self, tuples: list[tuple[int, ...]]) -> None:
        by_length: dict[int, list[int]] = {}
        for index, items in enumerate(tuples):
            by_length.setdefault(len(items), []).append(index)
        self.groups: list[int] = []
        self.items: list[int] = []
        self.place = [0] * len(tuples)
        placed = 0
        for length, members in sorted(by_length.items()):
            self.groups += [length, len(members)]
            for member in members:
                self.items += tuples[member]
                self.place[member] = placed
                placed += 1


def to_bytes(program: Program) -> bytes:
    lists = _Pool(dict.fromkeys(c.value for c in program.constants if type(c.value) is tuple))
    # The loader slices these from the front of the table, so they stand there even when
    # one repeats another.
    strings = _Pool(
        [program.dialect, program.name, *program.capabilities, *chain.from_iterable(lists.items)]
    )
    numbers = _Pool()
    values = []
    for constant in program.constants:
        value = constant.value
        if isinstance(value, int):
            values.append(("n", numbers(value)))
        elif isinstance(value, tuple):
            values.append(("l", lists(value)))
        else:
            values.append(("s", strings(value)))
    callouts = [0 if c.callout is None else strings(c.callout) + 1 for c in program.constants]
    tags = _Pool()
    tag_sets = _Pool()
    # Arguments of fewer than two constants are the table's first entries: (), (0,), (1,),
    # ... (which the loader shares between programs); longer ones follow.
    arguments = _Pool([(), *zip(range(len(program.constants)))])
    call_names = [strings(call.name) for call in program.calls]
    call_tags = [
        tag_sets(tuple(tags((strings(name), value)) for name, value in call.tags))
        for call in program.calls
    ]
    call_arguments = [arguments(call.positionals) for call in program.calls]
    tag_set_table = _TupleTable(tag_sets.items)
    shared = 1 + len(program.constants)
    argument_table = _TupleTable(arguments.items[shared:])
    operands, compound = _operand_columns(program)
    # Every string is in the pool by now.
    pool_start = {"s": 0, "l": len(strings.items), "n": len(strings.items) + len(lists.items)}
    indices = [
        *(pool_start[kind] + index for kind, index in values),
        *callouts,
        *map(len, lists.items),
        *(name for name, _ in tags.items),
        *(value + 1 for _, value in tags.items),
        *tag_set_table.groups,
        *tag_set_table.items,
        *argument_table.groups,
        *argument_table.items,
        *call_names,
        *(tag_set_table.place[index] for index in call_tags),
        *(i if i < shared else shared + argument_table.place[i - shared] for i in call_arguments),
        *operands,
        *(instruction.line for instruction in program.instructions),
    ]
    width = min(w for w in _WIDTHS if max(indices, default=0) < 1 << (8 * w))
    table = "\x00".join(map(_escape_nul, strings.items)).encode("utf-8", "surrogatepass")
    header = _HEADER.pack(
        width, len(strings.items), len(table), len(program.capabilities), len(program.constants),
        len(numbers.items), len(lists.items), sum(map(len, lists.items)), len(tags.items),
        len(tag_set_table.groups) // 2, len(tag_set_table.items),
        len(argument_table.groups) // 2, len(argument_table.items), len(program.calls),
        len(program.instructions), *map(len, compound.values()),
    )  # fmt: skip
    body = b"".join(
        [
            MAGIC,
            _VERSION.pack(VERSION),
            header,
            table,
            bytes(c.has_variables for c in program.constants),
            bytes(call.callout for call in program.calls),
            bytes(instruction.op for instruction in program.instructions),
        ]
    )
    body += bytes(-len(body) % _ALIGN) + struct.pack(f"<{len(indices)}{_WIDTHS[width]}", *indices)
    body += bytes(-len(body) % _ALIGN) + struct.pack(f"<{len(numbers.items)}Q", *numbers.items)
    return body + _CHECKSUM.pack(zlib.crc32(body))


def _operand_columns(program: Program) -> tuple[list[int], dict[tuple[str, ...], list[Any]]]:
    """Each instruction's index into the operand table, followed by the compound shapes'
    operand columns; and those shapes' operand tuples."""
    compound: dict[tuple[str, ...], list[Any]] = {shape: [] for shape in _COMPOUND}
    at = 1 + _single_count(len(program.calls), len(program.instructions))
    operands = []
    for instruction in program.instructions:
        shape = _SHAPES[instruction.op]
        if shape in compound:
            operands.append(at + len(compound[shape]))
            compound[shape].append(instruction.operands)
        else:
            operands.append(1 + instruction.operands[0] if shape else 0)
    # The later compound shapes' places: after the earlier shapes' operands.
    offsets = dict(zip(compound, accumulate(map(len, compound.values()), initial=0), strict=False))
    for index, instruction in enumerate(program.instructions):
        operands[index] += offsets.get(_SHAPES[instruction.op], 0)
    for shape, members in compound.items():
        for position, kind in enumerate(shape):
            operands += [member[position] - _LOWEST[kind] for member in members]
    return operands, compound


def _single_count(call_count: int, instruction_count: int) -> int:
    """How many one-item tuples the operand table holds: one for each call and for each
    jump target (a jump may go to the end, one past the last instruction)."""
    return max(call_count, instruction_count + 1)


# Reading.


class _Reader:
    """Cuts the body into its blocks, refusing any that would run past its end."""

    def __init__(self, data: bytes, at: int, end: int) -> None:
        self.data = memoryview(data)
        self.at = at
        self.end = end

    def raw(self, size: int, what: str) -> memoryview:
        end = self.at + size
        if end > self.end:
            raise BinaryError(f"the file is truncated (in the {what})")
        chunk = self.data[self.at : end]
        self.at = end
        return chunk

    def numbers(self, code: str, count: int, what: str) -> Sequence[int]:
        """`count` little-endian unsigned numbers of the struct `code` (B, H, I or Q)."""
        chunk = self.raw(struct.calcsize(code) * count, what)
        if code == "B":
            return bytes(chunk)  # its items are numbers already
        if _LITTLE_ENDIAN:
            return chunk.cast(code).tolist()  # a copy at C speed, no parsing
        return list(struct.unpack(f"<{count}{code}", chunk))

    def padding(self) -> None:
        if bytes(self.raw(-self.at % _ALIGN, "padding")).strip(b"\x00"):
            raise BinaryError("the padding between the blocks is not zero")


def from_bytes(data: bytes) -> Program:
    """The Program in `data`, or BinaryError saying what is wrong with it."""
    if not data.startswith(MAGIC):
        raise BinaryError("not a compiled Sieve script (bad magic)")
    end = len(data) - _CHECKSUM.size
    if end < len(MAGIC) + _VERSION.size:
        raise BinaryError("the file is truncated")
    (version,) = _VERSION.unpack_from(data, len(MAGIC))
    if version != VERSION:
        raise BinaryError(f"format version {version}; this sieve reads version {VERSION}")
    if zlib.crc32(memoryview(data)[:end]) != _CHECKSUM.unpack_from(data, end)[0]:
        raise BinaryError("checksum mismatch: the file is corrupted")
    read = _Reader(data, len(MAGIC) + _VERSION.size, end)
    (
        width, string_count, table_size, capability_count, constant_count, number_count,
        list_count, list_item_count, tag_count, tag_set_groups, tag_set_item_count,
        argument_groups, argument_item_count, call_count, instruction_count,
        *compound_counts,
    ) = _HEADER.unpack(read.raw(_HEADER.size, "header"))  # fmt: skip
    try:
        text = str(read.raw(table_size, "strings"), "utf-8", "surrogatepass")
    except UnicodeDecodeError as error:
        raise BinaryError("the string table is not UTF-8") from error
    strings = text.split("\x00")
    if "\x01" in text:  # rare: a string held NUL or U+0001 (RFC 5228 §2.4.2.4 ${hex:00})
        strings = [_unescape_nul(item) for item in strings]
    if len(strings) != string_count or string_count < 2 + capability_count:
        raise BinaryError("the string table does not hold the strings the header counts")
    flags = bytes(read.raw(constant_count + call_count, "flags"))
    if flags.translate(None, b"\x00\x01"):
        raise BinaryError("a flag of a constant or a call is neither yes nor no")
    codes = bytes(read.raw(instruction_count, "op codes"))
    read.padding()
    if width not in _WIDTHS:
        raise BinaryError(f"unknown index width {width}")
    counts = [
        constant_count, constant_count, list_count, tag_count, tag_count, 2 * tag_set_groups,
        tag_set_item_count, 2 * argument_groups, argument_item_count, call_count, call_count,
        call_count, instruction_count,
        *(count for shape, count in zip(_COMPOUND, compound_counts, strict=True) for _ in shape),
        instruction_count,
    ]  # fmt: skip
    (
        values, callouts, list_sizes, tag_names, tag_values, tag_set_groups_, tag_set_items,
        argument_groups_, argument_items, call_names, call_tags, call_arguments, operands,
        *compound, lines,
    ) = _carve(read.numbers(_WIDTHS[width], sum(counts), "indices"), counts)  # fmt: skip
    read.padding()
    numbers = read.numbers("Q", number_count, "numbers")
    if read.at != end:
        raise BinaryError(f"{end - read.at} unexpected bytes after the numbers")

    # The lists' items stand in the table after the capabilities, list after list.
    first_item = 2 + capability_count
    items = tuple(strings[first_item : first_item + list_item_count])
    if len(items) != list_item_count or sum(list_sizes) != list_item_count:
        raise BinaryError("the lists' sizes do not add up to their items")
    lists = _carve(items, list_sizes)
    constants = _make(
        Constant,
        _pick([*strings, *lists, *numbers], values, "a constant"),
        _pick(_BOOLS, flags[:constant_count], "a flag"),
        _pick([None, *strings], callouts, "a callout")
        if any(callouts)
        else repeat(None, constant_count),
    )
    tags = tuple(
        zip(
            _pick(strings, tag_names, "a tag name"),
            # Values are stored + 1, for tags without one (-1); the range checks that and
            # takes the 1 off.
            _pick(range(-1, constant_count), tag_values, "a tag's value"),
            strict=True,
        )
    )
    tag_sets = _tuples(tag_set_groups_, tag_set_items, tags, "tag sets")
    arguments = (
        _NO_OPERANDS
        + _singles(constant_count)
        + tuple(_tuples(argument_groups_, argument_items, constant_count, "argument tuples"))
    )
    callout_flags = flags[constant_count:]
    calls = _make(
        Call,
        _pick(strings, call_names, "a call's name"),
        _pick(tag_sets, call_tags, "a call's tags"),
        _pick(arguments, call_arguments, "a call's arguments"),
        _pick(_BOOLS, callout_flags, "a flag") if any(callout_flags) else repeat(False, call_count),
    )
    instructions = _instructions(codes, operands, compound, lines, constant_count, call_count)
    return Program(
        tuple(strings[2 : 2 + capability_count]),
        constants,
        calls,
        instructions,
        strings[0],
        strings[1],
    )


def _instructions(
    codes: bytes,
    column: Sequence[int],
    compound: list[Sequence[int]],
    lines: Sequence[int],
    constant_count: int,
    call_count: int,
) -> tuple[Instruction, ...]:
    """The instructions, their operands taken from the operand table. Each operand gets
    the bit of the part of the table it falls in, each op code the bit of the part it
    needs, and one AND of the two bit strings, as big integers, checks every instruction."""
    count = len(codes)
    singles = _single_count(call_count, count)
    limits = {_JUMP: count + 1, _CALL: call_count, _CONSTANT: constant_count}
    table = _NO_OPERANDS + _singles(singles)
    # The parts of the table, by where they end, and the bits of the operands in each.
    ends = [1, 1 + min(call_count, count + 1), 1 + singles]
    bits = [_NONE, _CALL_BIT | _JUMP_BIT, _CALL_BIT if call_count > count + 1 else _JUMP_BIT]
    columns = iter(compound)
    for bit, shape in zip(_COMPOUND_BITS, _COMPOUND, strict=True) if any(compound) else ():
        decoded = []
        for kind in shape:
            values = next(columns)
            if not _below(values, limits[kind] - _LOWEST[kind]):
                raise BinaryError(f"an instruction {_OPERAND_ERRORS[kind]}")
            decoded.append([v + _LOWEST[kind] for v in values] if _LOWEST[kind] else values)
        table += tuple(zip(*decoded, strict=True))
        ends.append(len(table))
        bits.append(bit)
    has = _classify(column, ends, bits)
    needs = codes.translate(_NEEDS)
    if 0 in (int.from_bytes(has, "little") & int.from_bytes(needs, "little")).to_bytes(
        count, "little"
    ):
        raise _bad_instruction(codes, has, needs, column)
    return _make(Instruction, _gather(_OPS, codes), _gather(table, column), lines)


def _classify(column: Sequence[int], ends: list[int], bits: list[int]) -> bytes:
    """The bit of each operand: that of the part of the operand table it falls in, 0 past
    the table's end."""
    if type(column) is bytes:  # narrow indices: one `translate`
        parts = bytearray(256)
        start = 0
        for end, bit in zip(ends, bits, strict=True):
            parts[start:end] = bytes((bit,)) * (end - start)
            start = end
        return column.translate(parts[:256])
    by_part = bytes([*bits, 0])
    return bytes(map(by_part.__getitem__, map(bisect_right, repeat(ends), column)))


def _singles(count: int) -> tuple[tuple[int], ...]:
    """(0,), (1,), ... up to `count`: shared ones when there are few enough."""
    return _SINGLES[:count] if count <= len(_SINGLES) else tuple(zip(range(count)))


def _bad_instruction(codes: bytes, has: bytes, needs: bytes, column: Sequence[int]) -> BinaryError:
    """What is wrong with the first instruction that fails the check (the slow path)."""
    for code, bit, needed, operand in zip(codes, has, needs, column, strict=True):
        if bit & needed:
            continue
        op = _OPS[code] if code < len(_OPS) else None
        if op is None:
            return BinaryError(f"unknown instruction {code}")
        shape = _SHAPES[op]
        if not shape:
            return BinaryError(f"{op.name} has operands it does not take")
        if shape in _COMPOUND or not operand:
            return BinaryError(f"{op.name} refers to missing operands")
        return BinaryError(f"{op.name} {_OPERAND_ERRORS[shape[0]]}")
    return BinaryError("an instruction cannot be read")  # pragma: no cover


def _carve(block: Sequence[Any], counts: Iterable[int]) -> list[Any]:
    """`block` cut into consecutive pieces of these lengths."""
    ends = list(accumulate(counts))
    return [block[start:end] for start, end in zip([0, *ends], ends, strict=False)]


def _make(kind: type[Any], *columns: Iterable[Any]) -> tuple[Any, ...]:
    """Named tuples of `kind`, one per row of the columns: `tuple.__new__` makes them at C
    speed, skipping the named tuple's own `__new__`, a Python function."""
    return tuple(starmap(tuple.__new__, zip(repeat(kind), zip(*columns, strict=True))))


def _gather(table: Sequence[Any], indices: Sequence[int]) -> tuple[Any, ...]:
    """`table[i]` for each index, at C speed. The indices are unsigned, so a bad one can
    only be too large, and that raises IndexError."""
    if len(indices) > 1:
        return itemgetter(*indices)(table)  # type: ignore[no-any-return]
    return tuple(table[index] for index in indices)


def _pick(table: Sequence[Any], indices: Sequence[int], what: str) -> tuple[Any, ...]:
    """`_gather`, saying what refers to a missing entry."""
    try:
        return _gather(table, indices)
    except IndexError:
        raise BinaryError(f"{what} refers to a missing entry") from None


def _below(values: Sequence[int], limit: int) -> bool:
    """Whether every (unsigned) value is below `limit`."""
    if type(values) is bytes and limit <= 256:
        return not values.translate(None, _BYTES[:limit])  # quicker than max()
    return not values or max(values) < limit


def _tuples(
    groups: Sequence[int], items: Sequence[int], pool: Sequence[Any] | int, what: str
) -> list[tuple[Any, ...]]:
    """The tuples of a tuple table. `pool` is what the items index, or a number that
    they are below (the items are then the values themselves)."""
    if type(pool) is int:
        if not _below(items, pool):
            raise BinaryError(f"an item of the {what} refers to a missing entry")
        values: Sequence[Any] = items
    else:
        values = _pick(pool, items, what)
    tuples: list[tuple[Any, ...]] = []
    at = 0
    pairs = iter(groups)
    for length, count in zip(pairs, pairs, strict=True):
        if not count:
            continue
        end = at + length * count
        if end > len(values) or (count > 1 and not length):
            # Past the items, or the empty tuple twice (the table holds distinct tuples):
            # refused before anything of that size is made.
            raise BinaryError(f"the lengths of the {what} do not match their items")
        if length:
            tuples += zip(*[iter(values[at:end])] * length, strict=False)
        else:
            tuples.append(())
        at = end
    if at != len(values):
        raise BinaryError(f"the lengths of the {what} do not match their items")
    return tuples


_ESCAPED = re.compile("\x01(.)", re.DOTALL)


def _escape_nul(text: str) -> str:
    """Strings join on NUL in the table; the rare string holding NUL (or the escape
    character U+0001) is escaped so that the join stays reversible."""
    if "\x00" in text or "\x01" in text:
        return text.replace("\x01", "\x01\x01").replace("\x00", "\x01\x02")
    return text


def _unescape_nul(text: str) -> str:
    return _ESCAPED.sub(lambda found: "\x00" if found.group(1) == "\x02" else "\x01", text)
