"""Fuzz the checker and compiler. Oracle: `sieve.compile` raises only CompileError (with
diagnostics inside the source), and a compiled program round-trips through
`to_bytes`/`from_bytes` to an equal program and the same bytes. Seeds: the corpus scripts."""

from __future__ import annotations

from harness import instrument, main, seed_files

instrument()
from oracles import check_compile  # noqa: E402 - after the package is instrumented


def seeds():
    for path in seed_files(("corpus/**/*.sieve", "corpus/**/*.filter", "corpus/**/*.svtest")):
        yield path.read_bytes()


if __name__ == "__main__":
    main("compile", check_compile, seeds)
