"""Oracle Messaging Server mapping tables: the file format (`tables`), pattern matching
(`patterns`) and lookups with templates and site-supplied routines (`evaluate`)."""

from sieve.mapping.evaluate import LookupResult, Routine, Routines, lookup
from sieve.mapping.tables import (
    Entry,
    MappingDiagnostic,
    MappingError,
    MappingFile,
    Table,
    load_mappings,
    parse_mappings,
)

__all__ = [
    "Entry",
    "LookupResult",
    "MappingDiagnostic",
    "MappingError",
    "MappingFile",
    "Routine",
    "Routines",
    "Table",
    "load_mappings",
    "lookup",
    "parse_mappings",
]
