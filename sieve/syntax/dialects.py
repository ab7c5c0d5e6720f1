"""Dialects: which token rules and grammar a parse uses. A dialect is a pair of small
subclasses of the standard ones, never a flag tested inside the parser."""

from __future__ import annotations

from sieve.syntax.grammar import StandardGrammar
from sieve.syntax.oracle import OracleGrammar

DIALECTS: dict[str, type[StandardGrammar]] = {
    "standard": StandardGrammar,
    "oracle": OracleGrammar,
    # Pigeonhole's testsuite files (.svtest): the standard grammar; what differs is only
    # that the "vnd.dovecot.testsuite" extension is offered, so that no filter can use it.
    "testsuite": StandardGrammar,
}


def grammar_for(dialect: str) -> type[StandardGrammar]:
    try:
        return DIALECTS[dialect]
    except KeyError:
        known = ", ".join(sorted(DIALECTS))
        raise ValueError(f"unknown dialect {dialect!r}; known dialects: {known}") from None
