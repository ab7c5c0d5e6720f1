"""Oracle Messaging Server mapping tables: the file format (`tables`), pattern matching
(`patterns`) and lookups with templates and site-supplied routines (`evaluate`), the
`throttle` and `grosscheck` routines, and the Host that answers Sieve callouts (`host`).

Names are loaded on first use, so `sieve run` without --mappings does not pay for them."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "LookupResult": "evaluate",
    "Routine": "evaluate",
    "Routines": "evaluate",
    "lookup": "evaluate",
    "Entry": "tables",
    "MappingDiagnostic": "tables",
    "MappingError": "tables",
    "MappingFile": "tables",
    "Table": "tables",
    "load_mappings": "tables",
    "parse_mappings": "tables",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sieve.mapping' has no attribute {name!r}")
    return getattr(importlib.import_module(f"sieve.mapping.{module}"), name)
