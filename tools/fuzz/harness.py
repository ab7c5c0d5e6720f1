"""What every harness shares: instrumenting the package, keeping going past a finding, and
saving one input per distinct finding.

libFuzzer stops at the first crash, which makes a ten-minute campaign end at the first
known bug. Here an oracle violation is recorded instead (one input per distinct place of
failure, under `tests/fuzz/corpus/<target>/`) and fuzzing goes on.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import pkgutil
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
# The parts of the package the targets reach; serve and dryrun need services we do not fuzz.
PACKAGES = ("syntax", "check", "compiler", "extensions", "runtime", "mapping")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def instrument() -> None:
    """Imports the package with coverage instrumentation, before anything else imports it:
    atheris instruments modules as they are imported, and only once."""
    with atheris.instrument_imports(include=["sieve"]):
        import sieve

        for name in PACKAGES:
            package = importlib.import_module(f"sieve.{name}")
            for module in pkgutil.walk_packages(package.__path__, f"sieve.{name}."):
                importlib.import_module(module.name)
        del sieve


def signature(error: BaseException) -> str:
    """Where a finding happened: its type and the innermost frame inside the package (two
    inputs that fail at the same line are one finding)."""
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if "/sieve/" in f.filename and "/tools/" not in f.filename]
    frame = (inside or frames or [None])[-1]
    where = f"{Path(frame.filename).name}:{frame.lineno}" if frame else "?"
    return f"{type(error).__name__}@{where}"


class Recorder:
    """Saves the first input of every distinct finding and prints its traceback."""

    def __init__(self, target: str, directory: Path) -> None:
        self.target = target
        self.directory = directory
        self.seen: set[str] = set()
        self.count = 0

    def record(self, data: bytes, error: BaseException) -> None:
        self.count += 1
        key = signature(getattr(error, "error", error))
        if key in self.seen:
            return
        self.seen.add(key)
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{hashlib.sha1(data).hexdigest()[:12]}.bin"
        (self.directory / name).write_bytes(data)
        print(f"\n=== FINDING {self.target} {key} -> {self.directory / name}", flush=True)
        traceback.print_exception(error)
        print(flush=True)


def seed_files(patterns: tuple[str, ...]) -> Iterator[Path]:
    for pattern in patterns:
        yield from sorted(p for p in ROOT.glob(pattern) if p.is_file())


def main(
    target: str,
    one_input: Callable[[bytes], None],
    seeds: Callable[[], Iterator[bytes]] = lambda: iter(()),
    saved: Callable[[bytes, BaseException], bytes] | None = None,
    defaults: tuple[str, ...] = (),
) -> None:
    """Runs `one_input` under libFuzzer. Own options: `--minutes`, `--findings`, `--work`;
    the rest goes to libFuzzer (`-max_len=`, `-dict=`, ...). `saved` turns a failing
    input into what is kept (the run target keeps script + message, not fuzz bytes); then
    the saved findings are not fuzz input and do not seed the campaign."""
    parser = argparse.ArgumentParser(description=f"fuzz the {target} target")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--findings", type=Path, default=CORPUS / target)
    parser.add_argument("--work", type=Path, default=Path("/tmp/sieve-fuzz") / target)
    options, rest = parser.parse_known_args()
    recorder = Recorder(target, options.findings)
    options.work.mkdir(parents=True, exist_ok=True)
    for data in seeds():
        (options.work / f"seed-{hashlib.sha1(data).hexdigest()[:12]}").write_bytes(data)

    def test_one_input(data: bytes) -> None:
        try:
            one_input(data)
        except Exception as error:  # every escape is a finding; see oracles.py
            recorder.record(saved(data, error) if saved else data, error)

    argv = [
        sys.argv[0],
        *defaults,
        *rest,
        "-print_final_stats=1",
        f"-max_total_time={int(options.minutes * 60)}",
        "-rss_limit_mb=3072",
        "-timeout=30",
        str(options.work),
    ]
    if saved is None and options.findings.is_dir():
        argv.append(str(options.findings))
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()
