"""`sieve test PATH...`: finds the test files under the paths (declarative `*.sievetest.toml`
and Pigeonhole testsuite `*.svtest`), runs them and reports, compactly or as JUnit XML.

Exit status: 0 every case passed, 1 a case failed (or a file could not run), 2 usage error
(a path that does not exist, nothing to run)."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from sieve.testing.declarative import SUFFIX
from sieve.testing.declarative import run_file as run_declarative
from sieve.testing.report import FileResult
from sieve.testing.svtest import run_file as run_svtest

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
SVTEST = ".svtest"


def configure(test: argparse.ArgumentParser, dialects: list[str], capability_list: Any) -> None:
    """Adds `sieve test`'s options to the parser that sieve/cli.py made for it."""
    test.description = (
        "Find *.sievetest.toml and *.svtest files under the paths, run every "
        "case and report: a line per file, and a diff of expected and actual for each failure."
    )
    test.set_defaults(handler=command_test)
    test.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="test files or folders (default .)"
    )
    test.add_argument(
        "-k",
        dest="keyword",
        default=None,
        metavar="TEXT",
        help="run only the cases whose file path or name contains TEXT (case-insensitive)",
    )
    test.add_argument("--format", choices=("text", "junit"), default="text")
    test.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE",
        help="write the JUnit XML here (the text report still goes to the terminal)",
    )
    test.add_argument(
        "-v", "--verbose", action="store_true", help="list every case, not only failures"
    )


def command_test(args: argparse.Namespace) -> int:
    files, problems = discover(args.paths)
    for problem in problems:
        print(f"sieve test: {problem}", file=sys.stderr)
    if problems:
        return EXIT_USAGE
    if not files:
        where = " ".join(args.paths)
        print(f"sieve test: no *{SUFFIX} or *{SVTEST} files under {where}", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    results, printed = run_files(files, keyword=args.keyword)
    seconds = time.perf_counter() - started
    if args.keyword and not any(result.cases or result.error for result in results):
        print(f"sieve test: no case matches -k {args.keyword!r}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "junit":
        from sieve.testing.junit import to_junit

        document = to_junit(results, printed=printed)
        if args.output is None:
            sys.stdout.write(document)
        else:
            try:
                Path(args.output).write_text(document, encoding="utf-8")
            except OSError as error:
                why = error.strerror or error
                print(f"sieve test: cannot write {args.output}: {why}", file=sys.stderr)
                return EXIT_USAGE
    if args.format == "text" or args.output is not None:
        print_report(results, sys.stdout, verbose=args.verbose, seconds=seconds, printed=printed)
    failed = any(result.failed for result in results)
    return EXIT_FINDINGS if failed else EXIT_CLEAN


def discover(paths: Iterable[str]) -> tuple[list[Path], list[str]]:
    """The test files a list of paths names, in a stable order, each once; and the paths
    that name nothing. A file named directly runs whatever its suffix is `.toml`."""
    found: list[Path] = []
    problems: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(_walk(path))
        elif path.is_file():
            if path.name.endswith((SUFFIX, SVTEST, ".toml")):
                found.append(path)
            else:
                problems.append(f"{name}: not a test file (*{SUFFIX} or *{SVTEST})")
        else:
            problems.append(f"{name}: no such file or folder")
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values()), problems


def _walk(folder: Path) -> list[Path]:
    """Test files under a folder; hidden folders are skipped and symbolic links to folders
    not followed, so a link loop cannot trap the walk."""
    found = []
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(names):
            if name.endswith((SUFFIX, SVTEST)):
                found.append(Path(root) / name)
    return found


def run_files(
    files: Sequence[Path], keyword: str | None = None
) -> tuple[list[FileResult], dict[str, str]]:
    """Runs each file; files where -k selects no case are left out of the results. What a
    file printed (`test_result_print` in a .svtest file) comes back apart, by path, so
    that it cannot break the report (JUnit XML on stdout) or interleave with it."""
    results: list[FileResult] = []
    printed: dict[str, str] = {}
    needle = keyword.lower() if keyword else None
    for path in files:

        def select(name: str, path: Path = path) -> bool:
            return needle is None or needle in f"{path}::{name}".lower()

        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            result = run_file(path, select)
        if needle is None or result.cases or (result.error and needle in str(path).lower()):
            results.append(result)
            if output.getvalue():
                printed[result.path] = output.getvalue()
    return results, printed


def run_file(path: Path, select: Callable[[str], bool] | None = None) -> FileResult:
    """One test file, whichever its language; never raises."""
    try:
        if path.name.endswith(SVTEST):
            return _run_svtest(path, select)
        return run_declarative(path, select)
    except Exception as error:  # a runner's own fault must not stop the other files
        return FileResult(str(path), error=f"internal error: {type(error).__name__}: {error}")


def _run_svtest(path: Path, select: Callable[[str], bool] | None) -> FileResult:
    result = run_svtest(path)
    # The file runs whole (its test blocks share state); -k picks what is reported.
    if select is not None:
        result.cases = [case for case in result.cases if select(case.name)]
    return result


def print_report(
    results: Sequence[FileResult],
    stream: TextIO,
    *,
    verbose: bool = False,
    seconds: float = 0,
    printed: dict[str, str] | None = None,
) -> None:
    """A line per file with its counts; each failure with its reason and its diff; then
    what the file printed, if anything, set off by `|`."""
    for result in results:
        _print_file(result, stream, verbose)
        for line in (printed or {}).get(result.path, "").splitlines():
            print(f"    | {line}", file=stream)
    passed = sum(result.passed for result in results)
    failed = sum(result.failed for result in results)
    files = len(results)
    summary = f"{files} file{'s' * (files != 1)}: {passed} passed, {failed} failed"
    print(f"{summary} in {seconds:.2f}s", file=stream)


def _print_file(result: FileResult, stream: TextIO, verbose: bool) -> None:
    if result.error:
        print(f"{result.path}: error: {result.error}", file=stream)
        return
    counts = f"{result.passed} passed"
    if result.failed:
        counts += f", {result.failed} failed"
    print(f"{result.path}: {counts}", file=stream)
    for case in result.cases:
        if case.passed:
            if verbose:
                print(f"  {case.name}: PASS", file=stream)
            continue
        print(f"  {case.name}: FAIL: {case.reason}", file=stream)
        for line in case.diff.splitlines():
            print(f"      {line}", file=stream)
