"""Fuzz the lexer and parser. Oracle: `sieve.parse(bytes)` never raises (in either
dialect), and every diagnostic's span lies inside the source. Seeds: the corpus scripts."""

from __future__ import annotations

from harness import instrument, main, seed_files

instrument()
from oracles import check_parse  # noqa: E402 - after the package is instrumented


def seeds():
    for path in seed_files(("corpus/**/*.sieve", "corpus/**/*.filter", "corpus/**/*.svtest")):
        yield path.read_bytes()


if __name__ == "__main__":
    main("parse", check_parse, seeds)
