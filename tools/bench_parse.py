#!/usr/bin/env python3
"""Front-end speed against sievelib's parser on the same script, in one run.

Prints, per script: our parse, our full compile (parse + check + compile), loading the
compiled `.svbc`, and sievelib's parse, with the ratios the issues set as goals: parse at
most 0.5 of sievelib's parse, full compile at most 1.0 of it, and loading at least 20 times
faster than compiling. sievelib is installed into the running Python when it is missing,
since it is only the yardstick and not a dependency of ours.

    python tools/bench_parse.py [--script corpus/bench/filter-200.sieve] [--number 200]
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCRIPT = ROOT / "corpus" / "bench" / "filter-200.sieve"


def ensure_sievelib() -> object:
    try:
        return importlib.import_module("sievelib.parser")
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "sievelib"], check=True)
        return importlib.import_module("sievelib.parser")


def best_time_per_call(function: object, number: int, repeat: int) -> float:
    """The best of `repeat` runs, each averaged over `number` calls: the least disturbed."""
    timer = timeit.Timer(function)  # type: ignore[arg-type]
    return min(timer.repeat(repeat=repeat, number=number)) / number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", type=Path, default=DEFAULT_SCRIPT)
    parser.add_argument("--number", type=int, default=200, help="parses per timing run")
    parser.add_argument("--repeat", type=int, default=5, help="timing runs; the best counts")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    import sieve

    sievelib_parser = ensure_sievelib()
    source = args.script.read_text(encoding="utf-8")

    ours = sieve.parse(source)
    if not ours.ok:
        print(f"our parser rejects {args.script}: {ours.diagnostics[0]}", file=sys.stderr)
        return 2
    theirs = sievelib_parser.Parser()  # type: ignore[attr-defined]
    if not theirs.parse(source):
        print(f"sievelib rejects {args.script}: {theirs.error}", file=sys.stderr)
        return 2

    from sieve.compiler import compile_source, from_bytes, to_bytes

    binary = to_bytes(compile_source(source).program)

    def parse_ours() -> None:
        sieve.parse(source)

    def compile_ours() -> None:
        compile_source(source)

    def load_ours() -> None:
        from_bytes(binary)

    def parse_sievelib() -> None:
        sievelib_parser.Parser().parse(source)  # type: ignore[attr-defined]

    lines = source.count("\n") + 1
    # Warm both up (grammar tables, regex caches) before timing.
    parse_ours()
    parse_sievelib()
    ours_time = best_time_per_call(parse_ours, args.number, args.repeat)
    compile_time = best_time_per_call(compile_ours, args.number, args.repeat)
    load_time = best_time_per_call(load_ours, args.number, args.repeat)
    theirs_time = best_time_per_call(parse_sievelib, args.number, args.repeat)
    shown = args.script.relative_to(ROOT) if args.script.is_relative_to(ROOT) else args.script
    print(f"script: {shown} ({lines} lines)")
    print(f"sieve parse:    {ours_time * 1e3:8.3f} ms per parse")
    print(f"sieve compile:  {compile_time * 1e3:8.3f} ms per parse + check + compile")
    print(f"sieve load:     {load_time * 1e3:8.3f} ms per load of the {len(binary)}-byte .svbc")
    print(f"sievelib parse: {theirs_time * 1e3:8.3f} ms per parse")
    print(f"ratio parse (sieve / sievelib): {ours_time / theirs_time:.2f}  (goal <= 0.50)")
    compile_ratio = compile_time / theirs_time
    print(f"ratio compile (sieve compile / sievelib parse): {compile_ratio:.2f}  (goal <= 1.00)")
    print(f"load speed-up (compile / load): {compile_time / load_time:.1f}x  (goal >= 20)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
