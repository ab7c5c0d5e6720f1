"""The oracle of every fuzz target: what must hold for any input bytes.

Each `check_<target>(data)` returns normally when the oracle holds, raises `OracleFailure`
when a result breaks a promise, and lets any other exception out (an exception escaping a
public API that promises not to raise is itself the finding). The atheris harnesses and
`tests/fuzz/test_regressions.py` both call these, so a saved input is judged the same way
in the campaign and in the test suite.
"""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import sieve
from sieve.compiler import BinaryError, from_bytes, to_bytes
from sieve.mapping import tables
from sieve.mapping.evaluate import Routines, lookup
from sieve.runtime.message import Message
from sieve.syntax.source import decode_script

# Whole runs get a short CPU limit so a campaign makes many of them; the oracle allows
# twice that (issue 9: "runs end within their limits").
RUN_LIMITS = sieve.Limits(max_cpu_seconds=0.5)
# A lookup's step budget in the harness, and the CPU time one lookup may take under it.
LOOKUP_STEPS = 300
LOOKUP_SECONDS = 1.0
# Separates the script from the message in a saved whole-run input.
RUN_SEPARATOR = b"\n\x00--sieve-fuzz-message--\x00\n"
# The .svbc trailer: a little-endian CRC-32 of everything before it.
_CHECKSUM = struct.Struct("<I")


class OracleFailure(AssertionError):
    """A result that breaks the target's promise (not an exception from the code under test)."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise OracleFailure(message)


# (1) Lexer and parser.


def check_parse(data: bytes) -> None:
    """`sieve.parse` never raises, and every diagnostic has a span inside the source."""
    for dialect in ("standard", "oracle"):
        result = sieve.parse(data, dialect=dialect)
        _check_spans(result.diagnostics, data)


def _check_spans(diagnostics: list[sieve.Diagnostic], data: bytes) -> None:
    """Spans count lines by LF (RFC 5228 §2.2: CRLF ends a line, a bare CR is no line end)
    and columns in characters of the decoded text. A span may end one past the end of its
    line: "expected ';'" points just after the last token."""
    lines = decode_script(data)[0].split("\n")
    for d in diagnostics:
        where = f"{d.code} at {d.line}:{d.column}-{d.end_line}:{d.end_column}"
        _require(1 <= d.line <= d.end_line <= len(lines), f"span outside the lines: {where}")
        _require(1 <= d.column <= len(lines[d.line - 1]) + 1, f"start past its line: {where}")
        _require(1 <= d.end_column <= len(lines[d.end_line - 1]) + 2, f"end past its line: {where}")
        _require(d.line < d.end_line or d.column <= d.end_column, f"span ends first: {where}")
        _require(bool(d.message), f"diagnostic without a message: {where}")


# (2) Checker and compiler.


def check_compile(data: bytes) -> None:
    """`sieve.compile` raises only CompileError, and what compiles survives its binary form."""
    for dialect in ("standard", "oracle"):
        try:
            script = sieve.compile(data, dialect=dialect)
        except sieve.CompileError as error:
            _require(bool(error.diagnostics), "CompileError without diagnostics")
            _check_spans(error.diagnostics, data)
            continue
        _check_round_trip(script.program)


def _check_round_trip(program: sieve.compiler.Program) -> None:
    binary = to_bytes(program)
    again = from_bytes(binary)
    _require(again == program, "program changed through to_bytes/from_bytes")
    _require(to_bytes(again) == binary, "re-serialised program has other bytes")


# (3) The .svbc loader.


def check_svbc(data: bytes) -> None:
    """`from_bytes` raises only BinaryError; a program that loads re-serialises to bytes
    that load to an equal program. The file ends in a CRC-32 of the rest, which a mutated
    input almost never matches, so the input is also tried with its checksum made right:
    that is what reaches the decoder behind the check."""
    _check_loaded(data)
    if len(data) > _CHECKSUM.size:
        body = data[: -_CHECKSUM.size]
        _check_loaded(body + _CHECKSUM.pack(zlib.crc32(body)))


def _check_loaded(data: bytes) -> None:
    try:
        program = from_bytes(data)
    except BinaryError:
        return
    again = from_bytes(to_bytes(program))
    _require(again == program, "a loaded program does not survive to_bytes/from_bytes")


# (4) Mapping files and lookups.


def _raising_routine(arguments: list[str]) -> str | None:
    raise RuntimeError("a site routine failed")


_ROUTINES = Routines(
    {
        "echo": lambda arguments: ",".join(arguments),
        "fail": lambda arguments: None,
        "boom": _raising_routine,
        "grow": lambda arguments: "x" * 100_000,
    }
)


# What every `<file` include reads in the harness: a small table, so include handling is
# exercised without the fuzzer reading files of this machine (`</dev/stdin` would block).
_INCLUDED = "INCLUDED\n\n  a*  $0$Y\n"


def _read_nothing(path: Path) -> tuple[str | None, str]:
    return _INCLUDED, ""


def check_mapping(data: bytes) -> None:
    """`parse_mappings(strict=False)` never raises; `lookup` never raises and stops within
    its step budget. The first line of the input is the value looked up; the rest is the
    mapping file, parsed with a base directory so relative includes resolve too."""
    head, _, rest = data.partition(b"\n")
    value = head.decode("utf-8", "replace")
    text = rest.decode("utf-8", "replace")
    real_read_text = tables.read_text
    tables.read_text = _read_nothing
    try:
        mappings = tables.parse_mappings(text, base=Path("/nonexistent/sieve-fuzz"), strict=False)
    finally:
        tables.read_text = real_read_text
    for table in list(mappings.tables.values())[:4]:
        started = time.process_time()
        result = lookup(table, value, _ROUTINES, tables=mappings.table, max_steps=LOOKUP_STEPS)
        spent = time.process_time() - started
        _require(spent < LOOKUP_SECONDS, f"lookup took {spent:.2f}s with {LOOKUP_STEPS} steps")
        _require(not (result.limited and result.found), "a limited lookup claims a result")
        _require(isinstance(result.output, str), "lookup output is not text")


# (5) The message model.


def check_message(data: bytes) -> None:
    """`Message.parse` and every accessor never raise on any bytes."""
    message = Message.parse(data, max_parts=200)
    names = {name for name, _ in message.fields()}
    names.update(("From", "To", "Subject", "Content-Type", "X-Missing"))
    for name in sorted(names)[:20]:
        message.header(name)
        message.raw_header(name)
        message.has_header(name)
        message.addresses(name)
    message.body_raw()
    message.body_text()
    message.body_content(["text"])
    message.body_content(["multipart"])
    message.body_content(["application/octet-stream", "message/rfc822"])
    for part in message.parts()[:200]:
        part.header_text()
        part.payload()
        part.text()
        part.header("Content-Type")
        part.addresses("From")
    message.fork().delete_header("Received")
    message.as_bytes()
    _ = message.defects, message.truncated_parts, message.size


# (6) Whole runs.


def encode_run_case(script: str, message: bytes) -> bytes:
    """A whole-run input as one file: script, separator, message."""
    return script.encode("utf-8", "surrogateescape") + RUN_SEPARATOR + message


def check_run(data: bytes) -> None:
    """A valid script over a message: compiling succeeds, `run()` never raises, ends in one
    of the three statuses and within twice its CPU limit."""
    source, _, message = data.partition(RUN_SEPARATOR)
    try:
        script = sieve.compile(source)
    except sieve.CompileError:
        return  # only saved inputs of the run harness come here, and those compile
    check_compiled_run(script, message)


def check_compiled_run(script: sieve.CompiledScript, message: bytes) -> None:
    """The run is judged as the property tests judge theirs (`assert_well_formed`: a known
    status, no internal error, a failed run with the implicit keep, no actions and a
    reason), on the same host, and must end within twice its CPU limit."""
    # Imported here: only this target needs hypothesis and re2, which strategies imports.
    from tests.runtime.strategies import ENVELOPE, assert_well_formed, fresh_host

    started = time.process_time()
    result = script.run(message, ENVELOPE, host=fresh_host(), limits=RUN_LIMITS)
    spent = time.process_time() - started
    try:
        assert_well_formed(result.to_dict())
    except AssertionError as error:
        raise OracleFailure(str(error)) from error
    _require(spent < 2 * RUN_LIMITS.max_cpu_seconds, f"run took {spent:.2f}s of CPU")


ORACLES: dict[str, Callable[[bytes], None]] = {
    "parse": check_parse,
    "compile": check_compile,
    "svbc": check_svbc,
    "mapping": check_mapping,
    "message": check_message,
    "run": check_run,
}
