"""Fuzz mapping files and lookups. Input: the first line is the value looked up, the rest
is a mapping file. Oracle: `parse_mappings(text, strict=False)` never raises; `lookup` on
each table never raises (also with routines that fail, raise or return huge strings) and
ends within its step budget. Seeds: the corpus mapping files."""

from __future__ import annotations

from harness import instrument, main, seed_files

instrument()
from oracles import check_mapping  # noqa: E402 - after the package is instrumented


def seeds():
    for path in seed_files(("corpus/**/*mappings*",)):
        for value in (b"alice@example.com", b"192.0.2.1|bob@example.org|carol@example.net"):
            yield value + b"\n" + path.read_bytes()


if __name__ == "__main__":
    main("mapping", check_mapping, seeds)
