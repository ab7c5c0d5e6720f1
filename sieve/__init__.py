"""sieve: compile, lint and safely run Sieve mail filters (RFC 5228 and its extensions)."""

from __future__ import annotations

from collections.abc import Iterable

from sieve.compiler import CompiledScript, CompileError, ScriptCache
from sieve.diagnostics import Diagnostic
from sieve.runtime.hierarchy import HierarchyResult, run_hierarchy
from sieve.runtime.host import Envelope, Host, MemoryHost
from sieve.runtime.limits import Limits
from sieve.runtime.result import Result
from sieve.syntax import ParseResult, parse

__version__ = "0.1.0"

_CACHE = ScriptCache()


def compile(  # noqa: A001 - the public name DESIGN.md promises
    source: str | bytes,
    name: str = "",
    extensions: Iterable[str] | None = None,
    limits: Limits | None = None,
    dialect: str = "standard",
) -> CompiledScript:
    """Parses, checks and compiles a script, or raises CompileError listing every problem.
    Compiled scripts are cached by content and settings, so compiling the same script
    again costs a hash."""
    return _CACHE.compile(source, name=name, extensions=extensions, limits=limits, dialect=dialect)


__all__ = [
    "CompileError",
    "CompiledScript",
    "Diagnostic",
    "Envelope",
    "HierarchyResult",
    "Host",
    "MemoryHost",
    "Result",
    "Limits",
    "ParseResult",
    "__version__",
    "compile",
    "run_hierarchy",
    "parse",
]
