"""Every input the fuzz campaigns saved (tests/fuzz/corpus/<target>/) goes through the same
oracle as its harness (tools/fuzz/oracles.py), in-process. An input whose bug is not fixed
yet is listed in KNOWN with where the bug is; it runs as a strict xfail, so fixing the bug
turns the test red until the entry goes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import sieve

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"


def _load_oracles():
    spec = importlib.util.spec_from_file_location(
        "sieve_fuzz_oracles", ROOT / "tools" / "fuzz" / "oracles.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


oracles = _load_oracles()

# "<target>/<file>": why it still fails (the bug, and where it lives). Fixed so far: a NUL
# in a mapping `<` include name let ValueError out of parse_mappings (three inputs under
# corpus/mapping/).
KNOWN: dict[str, str] = {}


def _cases() -> list[pytest.param]:
    cases = []
    for target in sorted(oracles.ORACLES):
        for path in sorted((CORPUS / target).glob("*")):
            key = f"{target}/{path.name}"
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN[key])] if key in KNOWN else []
            cases.append(pytest.param(target, path, id=key, marks=marks))
    return cases


@pytest.mark.parametrize(("target", "path"), _cases())
def test_saved_input_meets_its_oracle(target: str, path: Path) -> None:
    oracles.ORACLES[target](path.read_bytes())


def test_every_target_has_saved_inputs() -> None:
    assert {p.name for p in CORPUS.iterdir() if p.is_dir()} >= set(oracles.ORACLES)


def test_known_failures_name_saved_inputs() -> None:
    assert all((CORPUS / key).is_file() for key in KNOWN)


# The oracles themselves: each one notices the failure it is there for.


def test_parse_oracle_rejects_a_span_outside_the_source(monkeypatch) -> None:
    bad = sieve.Diagnostic("x", "error", 7, 1, 7, 2, "somewhere else")
    monkeypatch.setattr(
        oracles.sieve, "parse", lambda data, dialect: sieve.ParseResult(None, [bad])
    )
    with pytest.raises(oracles.OracleFailure, match="span outside the lines"):
        oracles.check_parse(b"keep;")


def test_compile_oracle_lets_other_exceptions_escape(monkeypatch) -> None:
    def broken(data, dialect):
        raise KeyError("checker bug")

    monkeypatch.setattr(oracles.sieve, "compile", broken)
    with pytest.raises(KeyError):
        oracles.check_compile(b"keep;")


def test_svbc_oracle_accepts_a_valid_program_and_binary_errors() -> None:
    oracles.check_svbc(sieve.compile(b'require "fileinto"; fileinto "A";').to_bytes())
    oracles.check_svbc(b"not a program")


def test_run_oracle_rejects_an_unknown_status(monkeypatch) -> None:
    script = sieve.compile(b"keep;")
    real = type(script).run

    def odd_run(self, *args, **kwargs):
        result = real(self, *args, **kwargs)
        monkeypatch.setattr(result, "status", "exploded", raising=False)
        return result

    monkeypatch.setattr(type(script), "run", odd_run)
    with pytest.raises(oracles.OracleFailure, match="status"):
        oracles.check_run(oracles.encode_run_case("keep;", b"Subject: hi\r\n\r\nbody\r\n"))


def test_run_case_round_trips_script_and_message() -> None:
    case = oracles.encode_run_case("keep;\n", b"From: a@b\r\n\r\n\x00\xff")
    source, _, message = case.partition(oracles.RUN_SEPARATOR)
    assert (source, message) == (b"keep;\n", b"From: a@b\r\n\r\n\x00\xff")
