"""Every case of the adversarial corpus (corpus/adversarial/cases.toml) ends with its
expected bounded outcome, within twice its CPU limit and under its memory bound.

Time and memory are measured in two separate attempts: tracemalloc slows allocation-heavy
code several times over, so timing a traced run would measure the tracer. Each attempt
compiles with a fresh cache, so both pay for the compile as a first-time script would."""

from __future__ import annotations

import contextlib
import time
import tomllib
import tracemalloc
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pytest

import sieve
from sieve.compiler import ScriptCache

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "adversarial"
ENVELOPE = sieve.Envelope(mail_from="attacker@example.com", rcpt_to="victim@example.org")
MIB = 1024 * 1024
# How much slower a run is under tracemalloc, at most (measured: 2-4 times).
TRACE_SLOWDOWN = 20


@dataclass(frozen=True)
class Case:
    name: str
    why: str
    script: str | list[Any]
    message: str | list[Any]
    limits: sieve.Limits
    host_scripts: dict[str, str]
    dialect: str
    expect: dict[str, Any]
    max_peak_mib: float
    xfail: str | None = None


@dataclass
class Outcome:
    """What one attempt ended with: a run's status and first error code, or a compile
    error and its first diagnostic's code."""

    status: str
    code: str | None
    actions: int = 0
    details: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build(recipe: str | list[Any], folder: str) -> bytes:
    """A file of the corpus, or a recipe's pieces joined (see the header of cases.toml)."""
    if isinstance(recipe, str):
        return (CORPUS / folder / recipe).read_bytes()
    chunks: list[bytes] = []
    for piece in recipe:
        if isinstance(piece, str):
            chunks.append(piece.encode("utf-8"))
        elif "bytes" in piece:
            chunks.append(bytes.fromhex(piece["bytes"]))
        else:
            chunks.append(piece["repeat"].encode("utf-8") * piece["times"])
    return b"".join(chunks)


def host_scripts(host: dict[str, Any]) -> dict[str, str]:
    scripts = dict(host.get("scripts", {}))
    series = host.get("series")
    if series:
        for i in range(series["count"]):
            source = series["source"].replace("{i}", str(i)).replace("{next}", str(i + 1))
            scripts[f"{series['prefix']}{i}"] = source
    return scripts


def load_cases() -> list[Case]:
    document = tomllib.loads((CORPUS / "cases.toml").read_text("utf-8"))
    defaults = document["defaults"]
    known = {f.name for f in fields(sieve.Limits)}
    cases = []
    for entry in document["case"]:
        overrides = {**defaults["limits"], **entry.get("limits", {})}
        assert set(overrides) <= known, f"{entry['name']}: unknown limits {overrides}"
        script = entry.get("script") or entry["script_recipe"]
        message = entry.get("message_recipe") or entry.get("message") or defaults["message"]
        cases.append(
            Case(
                name=entry["name"],
                why=entry["why"],
                script=script,
                message=message,
                limits=sieve.Limits(**overrides),
                host_scripts=host_scripts(entry.get("host", {})),
                dialect=entry.get("dialect", "standard"),
                expect=entry["expect"],
                max_peak_mib=entry.get("max_peak_mib", defaults["max_peak_mib"]),
                xfail=entry.get("xfail"),
            )
        )
    return cases


@dataclass(frozen=True)
class Inputs:
    """A case's script and message, built only when its test runs: some are megabytes."""

    script: bytes
    message: bytes

    @classmethod
    def of(cls, case: Case) -> Inputs:
        return cls(build(case.script, "scripts"), build(case.message, "messages"))


def attempt(case: Case, inputs: Inputs) -> Outcome:
    """Compiles (uncached) and runs the case the way an embedding server would."""
    try:
        script = ScriptCache().compile(inputs.script, limits=case.limits, dialect=case.dialect)
    except sieve.CompileError as error:
        codes = [d.code for d in error.diagnostics]
        return Outcome("compile-error", codes[0] if codes else None, details=codes)
    host = sieve.MemoryHost(scripts=dict(case.host_scripts))
    result = script.run(inputs.message, ENVELOPE, host=host, limits=case.limits)
    code = result.errors[0].code if result.errors else None
    return Outcome(
        result.status,
        code,
        len(result.actions),
        [str(e) for e in result.errors],
        [w.code for w in result.warnings],
    )


def timed(case: Case, inputs: Inputs) -> tuple[Outcome, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = attempt(case, inputs)
    return outcome, time.perf_counter() - wall, time.process_time() - cpu


def traced_peak(case: Case, inputs: Inputs) -> tuple[Outcome, int]:
    """The peak memory of an attempt. Tracing makes allocation several times slower, so the
    CPU limit is relaxed here; otherwise the traced attempt could stop early and show less
    memory than the real run uses."""
    slack = replace(case.limits, max_cpu_seconds=case.limits.max_cpu_seconds * TRACE_SLOWDOWN)
    tracemalloc.start()
    try:
        outcome = attempt(replace(case, limits=slack), inputs)
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


CASES = load_cases()
PARAMS = [
    pytest.param(
        case,
        id=case.name,
        marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [],
    )
    for case in CASES
]


def test_the_corpus_covers_every_attack_of_issue_9() -> None:
    names = " ".join(case.name for case in CASES)
    for attack in (
        "matches-exponential",
        "regex-catastrophic",
        "variables-doubling",
        "huge-string-list",
        "deep-block-nesting",
        "include-cycle",
        "include-deep-chain",
        "many-actions",
        "foreverypart-10000-parts",
        "header-5-megabytes",
        "million-recipients",
        "broken-encodings",
        "malformed-boundaries",
        "nul-bytes",
        "invalid-utf8",
    ):
        assert attack in names


def test_case_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", PARAMS)
def test_case_ends_bounded(case: Case) -> None:
    inputs = Inputs.of(case)
    outcome, wall, cpu = timed(case, inputs)
    expected = case.expect
    assert outcome.status == expected["status"], (case.why, outcome)
    if "code" in expected or expected["status"] == "success":
        assert outcome.code == expected.get("code"), (case.why, outcome)
    if "actions" in expected:
        assert outcome.actions == expected["actions"], (case.why, outcome)
    if "warnings" in expected:
        assert outcome.warnings == expected["warnings"], (case.why, outcome)
    if "diagnostics_at_most" in expected:
        assert len(outcome.details) <= expected["diagnostics_at_most"], case.why

    budget = 2 * case.limits.max_cpu_seconds
    assert wall < budget, f"{case.name}: {wall:.2f} s wall, budget {budget} s"
    assert cpu < budget, f"{case.name}: {cpu:.2f} s CPU, budget {budget} s"

    traced, peak = traced_peak(case, inputs)
    assert (traced.status, traced.code) == (outcome.status, outcome.code)
    bound = case.max_peak_mib * MIB
    assert peak < bound, f"{case.name}: peak {peak / MIB:.1f} MiB, bound {case.max_peak_mib} MiB"


def test_a_long_string_list_compiles_in_memory_proportional_to_its_size() -> None:
    source = b'if header :is "subject" [' + b'"",' * 50_000 + b'""] { discard; }'
    tracemalloc.start()
    try:
        # A diagnostic (a string-list limit) would be a bounded outcome too.
        with contextlib.suppress(sieve.CompileError):
            ScriptCache().compile(source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # 64 bytes per source byte: room for tokens, AST nodes and constants, not for copies.
    assert peak < 64 * len(source), f"peak {peak / MIB:.1f} MiB for {len(source)} bytes"
