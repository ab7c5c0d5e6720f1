"""Command line: `sieve check | fmt | highlight` (placeholder until written)."""


def main(argv: list[str] | None = None) -> int:
    raise SystemExit("not yet")
