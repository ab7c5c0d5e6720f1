"""The compiler's output, the binary form's round trip and its validation, the cache."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sieve
from sieve.compiler import BinaryError, ScriptCache, compile_source, dump, from_bytes, to_bytes
from sieve.compiler.binary import MAGIC, VERSION
from sieve.compiler.program import Instruction, Op

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SCRIPTS = sorted((CORPUS / "scripts" / "valid").glob("*.sieve")) + [
    CORPUS / "bench" / "filter-200.sieve"
]
ORACLE = sorted((CORPUS / "scripts" / "oracle").glob("*.sieve"))


def listing(source: str) -> list[str]:
    program = compile_source(source).program
    return [f"{i.op.name} {' '.join(map(str, i.operands))}".strip() for i in program.instructions]


def test_if_elsif_else_is_one_chain_of_jumps() -> None:
    source = "if true { keep; } elsif false { discard; } else { stop; }"
    assert listing(source) == [
        "CALL_TEST 0",  # true
        "JUMP_IF_FALSE 4",
        "CALL_COMMAND 1",  # keep
        "JUMP 9",
        "CALL_TEST 2",  # false
        "JUMP_IF_FALSE 8",
        "CALL_COMMAND 3",  # discard
        "JUMP 9",
        "STOP",
    ]


def test_anyof_and_allof_short_circuit_and_not_inverts() -> None:
    assert listing("if anyof (true, not false) { keep; }") == [
        "CALL_TEST 0",
        "JUMP_IF_TRUE 4",
        "CALL_TEST 1",
        "NOT",
        "JUMP_IF_FALSE 6",
        "CALL_COMMAND 2",
    ]
    assert listing("if allof (true, false, true) { keep; }")[:5] == [
        "CALL_TEST 0",
        "JUMP_IF_FALSE 5",
        "CALL_TEST 1",
        "JUMP_IF_FALSE 5",
        "CALL_TEST 0",  # the same call is shared
    ]


def test_foreverypart_loops_and_break_leaves_it() -> None:
    source = 'require "foreverypart";\nforeverypart :name "outer" { if true { break; } keep; }'
    assert listing(source) == [
        "LOOP_BEGIN 0 6",
        "CALL_TEST 0",
        "JUMP_IF_FALSE 4",
        "BREAK 0 6",
        "CALL_COMMAND 1",
        "LOOP_NEXT 0",
    ]


def test_break_finds_a_loop_whose_name_is_encoded() -> None:
    # The loop's name is decoded (${hex:41} is "A"); the break's must be too, or it
    # finds no loop and compiles to STOP.
    source = (
        'require ["foreverypart", "encoded-character"];\n'
        'foreverypart :name "${hex:41}" { foreverypart { break :name "${hex:41}"; } }'
    )
    assert listing(source) == [
        "LOOP_BEGIN 0 5",
        "LOOP_BEGIN -1 4",
        "BREAK 0 5",
        "LOOP_NEXT 1",
        "LOOP_NEXT 0",
    ]


def test_calls_resolve_tags_with_values() -> None:
    program = compile_source(
        'require ["fileinto", "copy"];\nif header :comparator "i;octet" :is "To" "x" '
        '{ fileinto :copy "Box"; }'
    ).program
    header, fileinto = program.calls
    constants = program.constants
    assert header.name == "header"
    assert [(tag, constants[v].value if v >= 0 else None) for tag, v in header.tags] == [
        ("comparator", "i;octet"),
        ("is", None),
    ]
    assert [constants[i].value for i in header.positionals] == ["To", "x"]
    assert fileinto.tags == (("copy", -1),)
    assert program.capabilities == ("copy", "fileinto")


def test_constants_know_whether_they_hold_variables() -> None:
    program = compile_source('require "variables";\nset "a" "${b}x";\nset "c" "plain";').program
    flags = {c.value: c.has_variables for c in program.constants}
    assert flags == {"a": False, "${b}x": True, "c": False, "plain": False}


def test_dump_shows_each_instruction_with_its_line() -> None:
    text = dump(compile_source("if true {\n  keep;\n}\nstop;\n", name="x.sieve").program)
    assert "program x.sieve" in text
    rows = [line.split() for line in text.splitlines() if line[:6].strip().isdigit()]
    rows = [row for row in rows if row[-1] != "(end)"]
    assert [(row[1], row[2]) for row in rows] == [
        ("1", "CALL_TEST"),
        ("1", "JUMP_IF_FALSE"),
        ("2", "CALL_COMMAND"),
        ("4", "STOP"),
    ]


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_corpus_scripts_round_trip_through_bytes(path: Path) -> None:
    program = compile_source(path.read_bytes(), name=path.name).program
    assert from_bytes(to_bytes(program)) == program


@pytest.mark.parametrize("path", ORACLE, ids=lambda p: p.name)
def test_oracle_scripts_compile_and_round_trip(path: Path) -> None:
    program = compile_source(path.read_bytes(), dialect="oracle").program
    assert program.dialect == "oracle"
    assert from_bytes(to_bytes(program)) == program


BENCH = to_bytes(compile_source((CORPUS / "bench" / "filter-200.sieve").read_bytes()).program)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_corrupted_byte_is_detected(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(BENCH) - 1))
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != BENCH[index]))
    corrupted = BENCH[:index] + bytes([byte]) + BENCH[index + 1 :]
    with pytest.raises(BinaryError):
        from_bytes(corrupted)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, len(BENCH) - 1))
def test_any_truncation_is_detected(length: int) -> None:
    with pytest.raises(BinaryError):
        from_bytes(BENCH[:length])


def _sealed(body: bytes) -> bytes:
    return body + hashlib.sha256(body).digest()


def test_structural_errors_are_found_even_with_a_valid_checksum() -> None:
    program = compile_source("if true { keep; }").program
    jump = program.instructions[1]
    assert jump.op is Op.JUMP_IF_FALSE
    broken = dataclasses.replace(
        program,
        instructions=(
            program.instructions[0],
            Instruction(jump.op, (99,), 1),
            program.instructions[2],
        ),
    )
    with pytest.raises(BinaryError, match="jumps out of the program"):
        from_bytes(to_bytes(broken))
    wrong_call = dataclasses.replace(program, instructions=(Instruction(Op.CALL_TEST, (7,), 1),))
    with pytest.raises(BinaryError, match="missing call"):
        from_bytes(to_bytes(wrong_call))


def test_other_versions_and_files_are_refused_with_a_reason() -> None:
    body = to_bytes(compile_source("keep;").program)[:-32]
    newer = body[: len(MAGIC)] + (VERSION + 1).to_bytes(2, "little") + body[len(MAGIC) + 2 :]
    with pytest.raises(BinaryError, match=f"format version {VERSION + 1}"):
        from_bytes(_sealed(newer))
    with pytest.raises(BinaryError, match="not a compiled Sieve script"):
        from_bytes(b'require "fileinto";')


def test_compile_errors_carry_every_diagnostic() -> None:
    with pytest.raises(sieve.CompileError) as raised:
        sieve.compile('fileinto "x";\nfrobnicate;', name="u.sieve")
    assert [d.code for d in raised.value.diagnostics] == ["missing-require", "unknown-command"]
    assert str(raised.value).startswith("u.sieve:1:1:")


def test_cache_keys_on_content_and_settings() -> None:
    cache = ScriptCache(size=2)
    first = cache.compile("keep;")
    assert cache.compile("keep;") is first
    assert cache.compile(b"keep;") is first
    assert cache.compile("keep;", extensions=["fileinto"]) is not first
    cache.compile("stop;")
    cache.compile("discard;")  # the oldest entry goes
    assert cache.compile("keep;") is not first


def test_compile_source_reads_a_generator_of_extensions_once() -> None:
    compiled = compile_source(
        'require "fileinto"; fileinto "Junk";', extensions=(name for name in ["fileinto"])
    )
    # ihave answers from this set at run time: an empty one would deny fileinto.
    assert compiled.extensions == frozenset({"fileinto"})
