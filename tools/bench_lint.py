#!/usr/bin/env python3
"""Lint speed: every script of the corpus, then a generated 2,000-line filter.

Prints scripts per second over the corpus and the time to lint the generated script, which
must stay under one second (the issue's goal: CI lints every user's filter on every push).
The generated script is seeded and mixes what real generated filters hold: long if/elsif
chains, anyof lists, variables, nested blocks, foreverypart, notify and redirect, so every
rule and the control-flow graph do real work.

    python tools/bench_lint.py [--lines 2000] [--repeat 3] [--max-seconds 1.0]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sieve.lint import lint  # noqa: E402
from sieve.lint.command import find_scripts  # noqa: E402

SEED = 5228
_HEADERS = ("Subject", "From", "To", "List-Id", "X-Spam-Flag", "Reply-To", "X-Mailer")
_MATCH = (":is", ":contains", ":matches")


def generate(lines: int, seed: int = SEED) -> str:
    """A valid filter of about `lines` lines."""
    rng = random.Random(seed)
    out = [
        'require ["fileinto", "variables", "imap4flags", "enotify", "foreverypart", '
        '"mime", "copy", "body", "relational", "comparator-i;ascii-numeric"];',
        'set "prefix" "Filtered";',
    ]
    rule = 0
    while len(out) < lines:
        rule += 1
        kind = rng.randrange(6)
        header = rng.choice(_HEADERS)
        match = rng.choice(_MATCH)
        word = f"w{rule}"
        if kind == 0:
            out += [
                f'if header {match} "{header}" "*{word}*" {{',
                f'    fileinto "${{prefix}}/{word}";',
                "    stop;",
                "}",
            ]
        elif kind == 1:
            out += [
                f'if anyof (header :contains "{header}" "{word}a",',
                f'          header :contains "{header}" "{word}b",',
                f'          address :domain :is "from" "{word}.example") {{',
                '    addflag "\\\\Flagged";',
                f'    fileinto :copy "Tagged/{word}";',
                "}",
            ]
        elif kind == 2:
            out += [
                f'if header :matches "{header}" "*<*>*" {{',
                f'    set "v{rule}" "${{2}}";',
                f'    if string :is "${{v{rule}}}" "{word}@example.com" {{ fileinto "People"; }}',
                f'}} elsif exists "X-{word}" {{',
                f'    fileinto "X/{word}";',
                "} else {",
                "    keep;",
                "}",
            ]
        elif kind == 3:
            keys = ", ".join(f'"{word}-{i}"' for i in range(rng.randrange(3, 12)))
            out += [f'if header :contains "{header}" [{keys}] {{ discard; stop; }}']
        elif kind == 4:
            out += [
                "foreverypart {",
                f'    if header :mime :type :is "Content-Type" "image" {{ addflag "{word}"; }}',
                "}",
            ]
        else:
            out += [
                f'if allof (size :over {rng.randrange(1, 900)}K, body :contains "{word}") {{',
                f'    notify :message "big {word}" "mailto:alerts@example.com";',
                "}",
            ]
    return "\n".join(out) + "\n"


def _best(repeat: int, action) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=1.0)
    args = parser.parse_args(argv)

    scripts = [(str(p), p.read_bytes()) for p in sorted(find_scripts(ROOT / "corpus"))]
    lint("keep;\n")  # build grammar tables and load the rules outside the timing
    corpus_time = _best(args.repeat, lambda: [lint(data, name) for name, data in scripts])
    print(
        f"corpus: {len(scripts)} scripts in {corpus_time:.3f} s = "
        f"{len(scripts) / corpus_time:.0f} scripts/s"
    )

    source = generate(args.lines)
    findings = lint(source, "generated.sieve")
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        print(f"the generated script does not compile: {errors[0]}", file=sys.stderr)
        return 2
    generated_time = _best(args.repeat, lambda: lint(source, "generated.sieve"))
    lines = source.count("\n")
    verdict = "ok" if generated_time < args.max_seconds else "TOO SLOW"
    print(
        f"generated: {lines} lines, {len(findings)} findings, {generated_time:.3f} s "
        f"(goal < {args.max_seconds:.1f} s): {verdict}"
    )
    return 0 if generated_time < args.max_seconds else 1


if __name__ == "__main__":
    raise SystemExit(main())
