"""Fuzz the .svbc loader. Oracle: `from_bytes(data)` raises only BinaryError, and a program
that loads re-serialises to bytes that load to an equal program. Seeds: the binary form of
every corpus script that compiles, so mutations start from valid files."""

from __future__ import annotations

import contextlib

from harness import instrument, main, seed_files

instrument()
from oracles import check_svbc  # noqa: E402

import sieve  # noqa: E402 - after the package is instrumented


def seeds():
    for path in seed_files(("corpus/**/*.sieve",)):
        for dialect in ("standard", "oracle"):
            with contextlib.suppress(sieve.CompileError):
                yield sieve.compile(path.read_bytes(), dialect=dialect).to_bytes()


if __name__ == "__main__":
    main("svbc", check_svbc, seeds)
