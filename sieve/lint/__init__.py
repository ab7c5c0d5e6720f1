"""`sieve lint`: rules over a checked script and its control-flow graph that find abuse
(amplification, loops, backscatter), inefficiency and mistakes a compiler cannot see.

    from sieve.lint import lint
    findings = lint(source, name="user.sieve")
"""

from __future__ import annotations

from sieve.lint.config import LintConfig, load_config
from sieve.lint.context import LintContext
from sieve.lint.engine import build_context, lint
from sieve.lint.finding import Finding, Fix
from sieve.lint.rule import Rule
from sieve.lint.rules import all_rules

__all__ = [
    "Finding",
    "Fix",
    "LintConfig",
    "LintContext",
    "Rule",
    "all_rules",
    "build_context",
    "lint",
    "load_config",
]
