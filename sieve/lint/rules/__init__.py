"""The lint rules, one module each; `all_rules()` finds them the way the extension registry
finds extensions, so adding a rule means adding one module."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from sieve.lint.rule import Rule


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule by code, sorted by code."""
    found: dict[str, Rule] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("_"):
            continue
        rule = importlib.import_module(f"{__name__}.{module.name}").RULE
        if not isinstance(rule, Rule):
            raise RuntimeError(f"{module.name}.RULE is not a Rule")
        if rule.code in found:
            raise RuntimeError(f"two rule modules use the code {rule.code!r}")
        if rule.code.replace("-", "_") != module.name:
            raise RuntimeError(
                f"rule {rule.code!r} must live in rules/{rule.code.replace('-', '_')}.py"
            )
        found[rule.code] = rule
    return dict(sorted(found.items()))
