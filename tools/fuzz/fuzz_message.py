"""Fuzz the message model. Oracle: `Message.parse(bytes)` and every accessor (header,
raw_header, addresses, body_raw, body_text, body_content, parts and each part's text,
payload and headers, fork, as_bytes) never raise. Seeds: the corpus messages."""

from __future__ import annotations

from harness import instrument, main, seed_files

instrument()
from oracles import check_message  # noqa: E402 - after the package is instrumented


def seeds():
    for path in seed_files(("corpus/**/*.eml",)):
        yield path.read_bytes()


if __name__ == "__main__":
    main("message", check_message, seeds)
