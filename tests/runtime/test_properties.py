"""Properties of the compiler and the VM over random valid scripts and random messages: every
drawn script compiles and survives its binary form; a run never raises, ends in one of the
three statuses, keeps the message implicitly when it did not succeed, and gives the same
result every time, also from two threads at once."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import sieve
from sieve.compiler import Program, from_bytes, to_bytes
from sieve.extensions.registry import Registry
from sieve.syntax import ast as tree
from tests.runtime.strategies import (
    ENVELOPE,
    assert_well_formed,
    fresh_host,
    messages,
    valid_scripts,
)

# A CPU-time limit could end one run and not the next on a busy machine; the step limit
# (which counts work, not time) still bounds every run.
LIMITS = sieve.Limits(max_cpu_seconds=60.0)
# Limits a drawn script often meets, so that stopping at a limit is exercised too.
TIGHT_LIMITS = sieve.Limits(
    max_steps=40,
    max_actions=3,
    max_variables=2,
    max_variable_size=5,
    max_mime_parts=2,
    max_header_bytes=200,
    max_includes=1,
    max_redirects=1,
    max_notifications=1,
)
QUICK = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def run(script: sieve.CompiledScript, message: bytes) -> dict:
    return script.run(message, ENVELOPE, host=fresh_host(), limits=LIMITS).to_dict()


# Compiling.


def has_nul_constant(program: Program) -> bool:
    """Whether a string constant holds NUL, which only `${hex:00}` or `${unicode:0}` can
    put there (RFC 5228 §2.4.2.4)."""
    for constant in program.constants:
        values = constant.value if isinstance(constant.value, tuple) else (constant.value,)
        if any(isinstance(value, str) and "\x00" in value for value in values):
            return True
    return False


@QUICK
@given(valid_scripts())
def test_every_drawn_script_compiles_and_survives_its_binary_form(source: str) -> None:
    program = sieve.compile(source).program
    assert from_bytes(to_bytes(program)) == program


@settings(QUICK, max_examples=30)
@given(valid_scripts("oracle"))
def test_every_drawn_oracle_script_compiles_and_survives_its_binary_form(source: str) -> None:
    program = sieve.compile(source, dialect="oracle").program
    assert from_bytes(to_bytes(program)) == program


def test_a_string_holding_nul_survives_the_binary_form() -> None:
    # The string table joins on NUL; ${hex:00} and ${hex:01} put the separator and the
    # escape character inside strings.
    source = (
        'require "encoded-character"; '
        'if header "Subject" ["${hex:00}", "a${hex:01}b${hex:01 01 00}"] { discard; }'
    )
    program = sieve.compile(source).program
    assert has_nul_constant(program)
    assert from_bytes(to_bytes(program)) == program


# Running.


@QUICK
@given(valid_scripts(), messages(), st.sampled_from([None, TIGHT_LIMITS]))
def test_a_run_never_raises_and_a_failed_run_keeps_the_message(
    source: str, message: bytes, limits: sieve.Limits | None
) -> None:
    # Default limits (None) here: the CPU-time limit must end a run cleanly too.
    script = sieve.compile(source)
    assert_well_formed(script.run(message, ENVELOPE, host=fresh_host(), limits=limits).to_dict())


@settings(QUICK, max_examples=50)
@given(valid_scripts("oracle"), messages())
def test_an_oracle_run_never_raises(source: str, message: bytes) -> None:
    assert_well_formed(run(sieve.compile(source, dialect="oracle"), message))


@QUICK
@given(valid_scripts(), messages())
def test_the_same_run_twice_gives_the_same_result(source: str, message: bytes) -> None:
    script = sieve.compile(source)
    assert run(script, message) == run(script, message)


@settings(QUICK, max_examples=60)
@given(valid_scripts(), messages())
def test_two_threads_running_one_script_at_once_agree(source: str, message: bytes) -> None:
    script = sieve.compile(source)
    alone = run(script, message)
    start = threading.Barrier(2)
    results: list[dict | BaseException] = [{}, {}]

    def worker(slot: int) -> None:
        start.wait()
        try:
            results[slot] = run(script, message)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            results[slot] = error

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == [alone, alone]


def load_fuzz_oracles():  # noqa: ANN201 - a module loaded from its file
    """tools/fuzz/oracles.py, which is no package: loaded from its file."""
    spec = importlib.util.spec_from_file_location(
        "sieve_fuzz_oracles", Path(__file__).parents[2] / "tools" / "fuzz" / "oracles.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Doctored:
    """A result whose document a test chose."""

    def __init__(self, document: dict) -> None:
        self.document = document

    def to_dict(self) -> dict:
        return self.document


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (
            {"errors": [{"code": "internal-error", "line": 1, "column": 1, "message": "boom"}]},
            "internal error",
        ),
        (
            {"status": "failed", "implicit_keep": True, "actions": [{"type": "discard"}]},
            "kept actions",
        ),
    ],
)
def test_the_fuzz_run_oracle_judges_runs_as_these_properties_do(
    monkeypatch: pytest.MonkeyPatch, change: dict, complaint: str
) -> None:
    oracles = load_fuzz_oracles()
    script = sieve.compile(b'require "fileinto"; fileinto "Junk";')
    real = type(script).run

    def doctored_run(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        document = real(self, *args, **kwargs).to_dict()
        document.update(change)
        if document["status"] != "success":
            document["errors"] = [{"code": "x", "line": 1, "column": 1, "message": "why"}]
        return _Doctored(document)

    monkeypatch.setattr(type(script), "run", doctored_run)
    with pytest.raises(AssertionError, match=complaint):
        assert_well_formed(script.run(b"Subject: hi\r\n\r\n", ENVELOPE).to_dict())
    with pytest.raises(oracles.OracleFailure, match=complaint):
        oracles.check_compiled_run(script, b"Subject: hi\r\n\r\n")


# The strategy itself.


def names_in(commands: list[tree.Command], found: set[str]) -> set[str]:
    """The command and test names of a parsed script."""
    tests: list[tree.Test | tree.TestList | None] = []
    for command in commands:
        found.add(command.name)
        tests.append(command.test)
        if command.block is not None:
            names_in(command.block.commands, found)
    while tests:
        test = tests.pop()
        if isinstance(test, tree.TestList):
            tests.extend(test.tests)
        elif test is not None:
            found.add(test.name)
            tests.append(test.test)
    return found


@pytest.mark.parametrize("dialect", ["standard", "oracle"])
def test_the_strategy_draws_every_command_and_test_of_the_registry(dialect: str) -> None:
    found: set[str] = set()

    @settings(max_examples=300, derandomize=True, database=None, phases=[Phase.generate])
    @given(valid_scripts(dialect))
    def collect(source: str) -> None:
        parsed = sieve.parse(source, dialect=dialect)
        assert parsed.script is not None
        names_in(parsed.script.commands, found)

    collect()
    registry = Registry.shared(None, dialect)
    assert set(registry.commands) | set(registry.tests) <= found


@settings(QUICK, max_examples=60)
@given(
    st.sampled_from(["standard", "oracle"]).flatmap(
        lambda d: st.tuples(st.just(d), valid_scripts(d))
    )
)
def test_formatting_a_drawn_script_keeps_its_tree(case: tuple[str, str]) -> None:
    """format -> parse gives the same syntax tree, for scripts over the whole registry."""
    from sieve.syntax.formatter import format_source

    dialect, source = case
    before = sieve.parse(source, dialect=dialect)
    formatted = format_source(source, dialect=dialect)
    after = sieve.parse(formatted.text, dialect=dialect)
    assert before.ok and after.ok
    assert after.script == before.script
