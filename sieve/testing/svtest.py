"""Runs Dovecot Pigeonhole testsuite files (`.svtest`, `require "vnd.dovecot.testsuite";`).

A test file is itself a Sieve script, parsed and checked in the "testsuite" dialect (the
standard grammar plus the testsuite extension, which no filter can require). `run_file`
splits it at its top-level `test "name" { ... }` blocks and runs each block on its own in
our VM, in file order, so that a failure (`test_fail`, a failing testsuite command, a
run-time error) ends only that block: one CaseResult per block. Commands outside the
blocks run in order too and share the file's variables with the blocks; they give a
CaseResult only when they fail.

The parts: the commands are declared and read in sieve/extensions/vnd_dovecot_testsuite.py;
what they act on (message, result, settings) is `svtest_suite.Suite`, one per file; the
in-memory mail store and outgoing mail are `svtest_delivery`; the settings of
`test_config_set` are `svtest_settings` (their list is there).

Paths (`test_script_compile`, `test_multiscript`, settings naming files) are relative to
the test file; absolute paths, and files that are not regular files, are refused. Scripts
under test are compiled in the configured dialect with the configured extensions (all,
by default); their personal includes are found next to them.

Where this differs from Pigeonhole: `stop` ends the current test block, not the file;
`test_error` and `test_result_action` compare with "i;ascii-casemap" unless a
`:comparator` is given; action names are our action types (`fileinto`, `keep`, ...), and
a fileinto is also called "store" as in Pigeonhole; the implicit keep is not an action;
`test_config_reload` puts every pending setting in force, with or without `:extension`
(which must still name an extension); resetting the result empties the mail store's
messages and the outgoing mail; binaries are saved in memory, in our `.svbc` form; a
fileinto a mailbox that does not exist fails `test_result_execute` and the message goes
to INBOX; test_result_print and test_message_print write to `output` (stdout by
default)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from sieve.check.checker import Checker
from sieve.compiler.compiler import compile_script
from sieve.diagnostics import Diagnostic
from sieve.extensions.registry import Registry
from sieve.runtime.control import RunStop, ScriptStop
from sieve.runtime.limits import Limits
from sieve.runtime.linking import Linked, link
from sieve.runtime.vm import Run
from sieve.syntax import parse
from sieve.syntax.ast import Command, Script, String
from sieve.testing.declarative import number_duplicates
from sieve.testing.report import CaseResult, FileResult
from sieve.testing.svtest_suite import CaseFailure, Suite, SuiteHost

DIALECT = "testsuite"
# A test block's own run: generous, since it compiles and runs other scripts (each under
# its own limits), yet bounded, since a test file may be hostile too.
BLOCK_LIMITS = Limits(max_steps=200_000, max_cpu_seconds=10.0, max_actions=256)
# And a whole file: the blocks after this much CPU time fail without running.
FILE_CPU_SECONDS = 120.0


def run_file(path: Path, output: TextIO | None = None) -> FileResult:
    """Runs every test block of one .svtest file; never raises for what the file holds (a
    file that cannot be read, parsed or checked gives a FileResult with `error`)."""
    report = FileResult(str(path))
    try:
        source = path.read_bytes()
    except OSError as error:
        report.error = f"cannot read {path}: {error.strerror or error}"
        return report
    loaded = _load(source, str(path))
    if isinstance(loaded, str):
        report.error = loaded
        return report
    script, capabilities = loaded
    registry = Registry.shared(None, DIALECT)
    suite = Suite(path.parent, output if output is not None else sys.stdout)
    variables: dict[str, str] = {}
    deadline = time.thread_time() + FILE_CPU_SECONDS
    for name, commands, line in _blocks(script):
        started = time.perf_counter()
        label = name if name is not None else f"line {line}"
        try:
            if time.thread_time() > deadline:
                problem = f"not run: the file used more than {FILE_CPU_SECONDS:g} s of CPU time"
            else:
                program = compile_script(
                    Script(commands), capabilities, registry, DIALECT, f"{path.name}:{label}"
                )
                problem = _run_block(suite, link(program), variables)
        except Exception as error:  # noqa: BLE001 - one broken block must not end the file
            problem = f"internal error: {type(error).__name__}: {error}"
        seconds = time.perf_counter() - started
        if name is not None:
            report.cases.append(CaseResult(name, problem is None, problem or "", "", seconds))
        elif problem is not None:
            report.cases.append(
                CaseResult(f"(outside any test, line {line})", False, problem, "", seconds)
            )
    names = number_duplicates(case.name for case in report.cases)
    report.cases = [replace(c, name=n) for c, n in zip(report.cases, names, strict=True)]
    return report


def _load(source: bytes, name: str) -> tuple[Script, tuple[str, ...]] | str:
    """The checked syntax tree and the capabilities it requires, or why there is none."""
    parsed = parse(source, dialect=DIALECT)
    if not parsed.ok or parsed.script is None:
        return _diagnostics_text(name, parsed.diagnostics)
    checker = Checker(Registry.shared(None, DIALECT), DIALECT)
    checker.script(parsed.script)
    errors = [d for d in checker.diagnostics if d.is_error]
    if errors:
        return _diagnostics_text(name, errors)
    nested = _nested_test(parsed.script.commands, top=True)
    if nested is not None:
        return f"{name}:{nested.span.line}: tests cannot be nested: 'test' belongs at the top level"
    return parsed.script, tuple(sorted(checker.required))


def _diagnostics_text(name: str, diagnostics: Sequence[Diagnostic]) -> str:
    shown = [f"{name}:{d.line}:{d.column}: {d.message}" for d in diagnostics[:5]]
    if len(diagnostics) > 5:
        shown.append(f"… and {len(diagnostics) - 5} more")
    return "\n".join(shown) or f"{name}: invalid test file"


def _nested_test(commands: Iterable[Command], top: bool) -> Command | None:
    pending = [(command, top) for command in commands]
    while pending:
        command, at_top = pending.pop()
        if command.name == "test" and not at_top:
            return command
        if command.block is not None:
            pending.extend((inner, False) for inner in command.block.commands)
    return None


def _blocks(script: Script) -> list[tuple[str | None, list[Command], int]]:
    """The file as it runs: each `test` block (name, its commands), and each run of
    commands between them (no name); `require` stays out, its capabilities apply to all."""
    blocks: list[tuple[str | None, list[Command], int]] = []
    loose: list[Command] = []
    for command in script.commands:
        if command.name == "require":
            continue
        if command.name != "test":
            loose.append(command)
            continue
        if loose:
            blocks.append((None, loose, loose[0].span.line))
            loose = []
        title = next((a.value for a in command.arguments if isinstance(a, String)), "")
        body = command.block.commands if command.block is not None else []
        blocks.append((title, body, command.span.line))
    if loose:
        blocks.append((None, loose, loose[0].span.line))
    return blocks


def _run_block(suite: Suite, linked: Linked, variables: dict[str, str]) -> str | None:
    """Runs one block in the file's variables; None when it passed, else why it failed.
    Like vm.execute, but the frame's variables outlive the run."""
    run = Run(suite.message, suite.envelope, suite.file_host, BLOCK_LIMITS)
    suite.attach(run)
    try:
        run.execute(linked, linked.program.name, variables=variables)
    except ScriptStop:
        pass  # `stop` ends this block only
    except CaseFailure as failure:
        return failure.reason or "test_fail"
    except RunStop as stop:
        return f"line {run.line}: {stop.message}"
    except RecursionError:
        return f"line {run.line}: the test nested too deeply"
    for callback in run.successes:
        callback()
    return None


__all__ = ["CaseFailure", "Suite", "SuiteHost", "run_file"]
