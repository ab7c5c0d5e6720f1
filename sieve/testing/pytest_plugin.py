"""The pytest plugin (entry point `pytest11`, name `sieve`): pytest collects Sieve test
files as it collects Python ones, and Python tests get fixtures to compile and run scripts.

Collection follows pytest's usual rules: a `*.sievetest.toml` or `*.svtest` file is
collected when pytest visits it, that is when it lies under a path given on the command
line or, without one, under `testpaths`. So `pytest corpus/tests` runs the corpus test
files, while a project whose `testpaths` does not reach them does not run them twice.
`-p no:sieve` switches the plugin off.

Each case of a declarative file is one item (`spam.sievetest.toml::Junk gets spam`); a
failure shows the same reason and diff as `sieve test`. A `.svtest` file runs whole when
collected (its test blocks share state, as in Pigeonhole) and each block becomes an item
reporting its outcome.

Fixtures:
    sieve_script(source_or_path, **compile_options) -> CompiledScript
    run_sieve(script, message, envelope=None, **run_options) -> Result
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sieve.testing.command import SVTEST, run_file
from sieve.testing.declarative import SUFFIX, TestFile, load
from sieve.testing.declarative_cases import Case
from sieve.testing.declarative_values import TestFileError
from sieve.testing.report import CaseResult


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(SUFFIX):
        return DeclarativeFile.from_parent(parent, path=file_path)
    if file_path.name.endswith(SVTEST):
        return SvtestFile.from_parent(parent, path=file_path)
    return None


class SieveTestFailure(Exception):
    """A failed case: its reason and diff, shown by repr_failure without a traceback."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.reason)
        self.result = result


class _CaseItem(pytest.Item):
    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, SieveTestFailure):
            result = excinfo.value.result
            return f"{result.reason}\n{result.diff}" if result.diff else result.reason
        return super().repr_failure(excinfo)


class DeclarativeCase(_CaseItem):
    def __init__(self, *, case: Case, test_file: TestFile, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.test_file = test_file

    def runtest(self) -> None:
        result = self.test_file.run(self.case)
        if not result.passed:
            raise SieveTestFailure(result)


class DeclarativeFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            test_file = load(self.path)
        except TestFileError as error:
            raise self.CollectError(f"{self.path}: {error}") from None
        for case in test_file.cases:
            yield DeclarativeCase.from_parent(self, name=case.name, case=case, test_file=test_file)


class SvtestCase(_CaseItem):
    def __init__(self, *, result: CaseResult, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result = result

    def runtest(self) -> None:
        if not self.result.passed:
            raise SieveTestFailure(self.result)


class SvtestFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        result = run_file(self.path)
        if result.error:
            raise self.CollectError(f"{self.path}: {result.error}")
        for case in result.cases:  # a repeated name is numbered by the runner
            yield SvtestCase.from_parent(self, name=case.name, result=case)


# Fixtures for tests written in Python.


@pytest.fixture
def sieve_script() -> Callable[..., Any]:
    """Compiles a script: a `pathlib.Path`, the name of an existing file, or source text.
    Keyword arguments go to `sieve.compile` (extensions, dialect, limits)."""
    import sieve

    def compile_script(script: str | bytes | Path, **options: Any) -> Any:
        if isinstance(script, Path) or (
            isinstance(script, str) and "\n" not in script and _is_file(script)
        ):
            path = Path(script)
            options.setdefault("name", path.name)
            return sieve.compile(path.read_bytes(), **options)
        return sieve.compile(script, **options)

    return compile_script


@pytest.fixture
def run_sieve(sieve_script: Callable[..., Any]) -> Callable[..., Any]:
    """Runs a script (compiled, a path or source) on a message (bytes, text, a Path or an
    email Message) and returns the Result. The envelope is a sieve.Envelope or a dict
    with `from`, `to`, `orig_to`, `auth`; other keyword arguments go to `run` (host,
    environment, limits, trace)."""
    import sieve

    def run(script: Any, message: Any, envelope: Any = None, **options: Any) -> Any:
        if not isinstance(script, sieve.CompiledScript):
            script = sieve_script(script)
        if isinstance(message, Path):
            message = message.read_bytes()
        if isinstance(envelope, dict):
            envelope = sieve.Envelope(
                envelope.get("from", ""),
                envelope.get("to", ""),
                envelope.get("orig_to"),
                envelope.get("auth"),
            )
        return script.run(message, envelope, **options)

    return run


def _is_file(name: str) -> bool:
    try:
        return Path(name).is_file()
    except (OSError, ValueError):  # a name too long, or with a NUL: source text, then
        return False
