"""sieve: compile, lint and safely run Sieve mail filters (RFC 5228 and its extensions)."""

from sieve.diagnostics import Diagnostic
from sieve.runtime.limits import Limits
from sieve.syntax import ParseResult, parse

__version__ = "0.1.0"
__all__ = ["Diagnostic", "Limits", "ParseResult", "parse", "__version__"]
