"""The semantic checker: what a parsed script means against the enabled extensions."""

from sieve.check.checker import check

__all__ = ["check"]
