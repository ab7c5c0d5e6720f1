"""`python -m sieve` is the same as the `sieve` command."""

from sieve.cli import main

raise SystemExit(main())
