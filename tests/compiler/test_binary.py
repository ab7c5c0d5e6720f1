"""The .svbc layout's corners: wide indices, loop operands, and files whose checksum is
right but whose contents are not, which must be refused with a BinaryError (never another
exception) or loaded as a program whose every index is in range."""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sieve.compiler import BinaryError, compile_source, from_bytes, to_bytes
from sieve.compiler.binary import _HEADER, _HEADER_FIELDS, MAGIC
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

LOOPS = (
    'require ["foreverypart", "mime", "variables"];\n'
    'foreverypart :name "outer" {\n'
    "  foreverypart {\n"
    '    if header :mime :anychild :contains "Content-Type" "pdf" { break :name "outer"; }\n'
    "    break;\n"
    "  }\n"
    '  set "seen" "yes";\n'
    "}\n"
    "keep;\n"
)
# More than 255 of everything, so that the indices need two bytes.
WIDE = 'require ["fileinto", "variables"];\n' + "".join(
    f'if header :is "X-Tag-{n}" ["a{n}", "b{n}"] {{ fileinto "box-{n}"; set "v{n}" "${{v}}"; }}\n'
    for n in range(300)
)


def _header(data: bytes) -> dict[str, int]:
    return dict(zip(_HEADER_FIELDS, _HEADER.unpack_from(data, len(MAGIC) + 2), strict=True))


def _sealed(body: bytes) -> bytes:
    return body + struct.pack("<I", zlib.crc32(body))


def _valid(program: Program) -> None:
    """Every object is of its declared type and every index points at something."""
    constants, calls, count = program.constants, program.calls, len(program.instructions)
    for constant in constants:
        assert type(constant) is Constant and type(constant.has_variables) is bool
        value = constant.value
        assert type(value) in (str, int) or all(type(item) is str for item in value)
        assert constant.callout is None or type(constant.callout) is str
    for call in calls:
        assert type(call) is Call and type(call.name) is str and type(call.callout) is bool
        assert all(type(tag) is str and -1 <= value < len(constants) for tag, value in call.tags)
        assert all(0 <= index < len(constants) for index in call.positionals)
    for instruction in program.instructions:
        op, operands = instruction.op, instruction.operands
        assert type(instruction) is Instruction and type(op) is Op
        assert type(operands) is tuple and len(operands) == OPERANDS[op]
        for position, operand in enumerate(operands):
            if position in JUMP_OPERANDS.get(op, ()):
                assert 0 <= operand <= count
            elif op in CALL_OPERAND:
                assert 0 <= operand < len(calls)
            else:
                assert -1 <= operand < len(constants)


@pytest.mark.parametrize("source", [LOOPS, WIDE], ids=["loops", "wide"])
def test_programs_round_trip_and_load_as_the_program_types(source: str) -> None:
    program = compile_source(source).program
    loaded = from_bytes(to_bytes(program))
    assert loaded == program
    _valid(loaded)
    if source is LOOPS:
        assert {i.op for i in loaded.instructions} >= {Op.LOOP_BEGIN, Op.BREAK}


def test_a_large_program_uses_two_byte_indices_and_a_small_one_bytes() -> None:
    assert _header(to_bytes(compile_source(WIDE).program))["index width"] == 2
    assert _header(to_bytes(compile_source("keep;").program))["index width"] == 1


def test_loop_operands_keep_their_names_and_exits() -> None:
    program = from_bytes(to_bytes(compile_source(LOOPS).program))
    loops = [i for i in program.instructions if i.op in (Op.LOOP_BEGIN, Op.BREAK)]
    names = [program.constants[i.operands[0]].value if i.operands[0] >= 0 else None for i in loops]
    assert names == ["outer", None, "outer", None]
    # Both loops and their breaks leave to just after the loop's LOOP_NEXT.
    after = [at + 1 for at, i in enumerate(program.instructions) if i.op is Op.LOOP_NEXT]
    assert [i.operands[1] for i in loops] == [after[1], after[0], after[1], after[0]]


def _with_op_code(data: bytes, code: int) -> bytes:
    """The file with its first op code replaced, sealed again."""
    header = _header(data)
    at = len(MAGIC) + 2 + _HEADER.size + header["table"] + header["constants"] + header["calls"]
    return _sealed(data[:at] + bytes([code]) + data[at + 1 : -4])


def test_unknown_op_codes_and_operands_an_op_does_not_take_are_refused() -> None:
    data = to_bytes(compile_source("if true { keep; }").program)
    with pytest.raises(BinaryError, match="unknown instruction 200"):
        from_bytes(_with_op_code(data, 200))
    with pytest.raises(BinaryError, match="unknown instruction 0"):
        from_bytes(_with_op_code(data, 0))
    # The first instruction (CALL_TEST of call 0) read as STOP, which takes no operand.
    with pytest.raises(BinaryError, match="STOP has operands it does not take"):
        from_bytes(_with_op_code(data, Op.STOP))


def test_counts_past_the_end_are_refused_before_anything_is_made() -> None:
    data = to_bytes(compile_source('if header :is "a" "b" { keep; }').program)
    at = len(MAGIC) + 2 + 4 * _HEADER_FIELDS.index("instructions")
    huge = _sealed(data[:at] + struct.pack("<I", 2**32 - 1) + data[at + 4 : -4])
    with pytest.raises(BinaryError, match="truncated"):
        from_bytes(huge)


SMALL = "".join(WIDE.splitlines(keepends=True)[:20])
SOURCES = [compile_source(source).program for source in (LOOPS, SMALL)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_change_with_a_right_checksum_is_refused_or_loads_a_sound_program(
    data: st.DataObject,
) -> None:
    program = data.draw(st.sampled_from(SOURCES))
    body = bytearray(to_bytes(program)[:-4])
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(len(MAGIC) + 2, len(body) - 1))
        body[index] = data.draw(st.integers(0, 255))
    try:
        loaded = from_bytes(_sealed(bytes(body)))
    except BinaryError:
        return
    _valid(loaded)
