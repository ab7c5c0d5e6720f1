"""The shapes of command and test signatures as the checker reads them, worked out once.

Every use of a command or test is checked against its signature; turning a declared
signature into the tags it takes under a registry and the positionals each argument count
fills is done once per registry and spec and cached here, so the walk over the script
(`checker`) and the argument checks (`arguments`) only look the result up.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sieve.extensions.registry import Provided, Registry
from sieve.extensions.spec import Arg, CommandSpec, Positional, TestSpec
from sieve.extensions.spec import Tag as SpecTag
from sieve.syntax.ast import Callout, Number, String, StringList

# The argument node types each kind of argument accepts (RFC 5228 §2.6.1, §8.2: a string
# list may be a single string).
_FITS: dict[Arg, frozenset[type]] = {
    Arg.STRING: frozenset({String, Callout}),
    Arg.STRING_LIST: frozenset({String, StringList, Callout}),
    Arg.NUMBER: frozenset({Number}),
}


@dataclass(frozen=True, slots=True)
class Signature:
    """A command's or test's signature as the checker reads it at every use, worked out
    once per registry: the tags it takes there, and which positionals a given number of
    arguments fills."""

    spec: CommandSpec | TestSpec
    tags: dict[str, Provided]
    # The argument node types that each tag taking a value accepts for it.
    tag_values: dict[str, frozenset[type]]
    positionals: tuple[Positional, ...]
    # How many positionals must be given.
    required: int
    # For n given arguments (n from `required` to all), the positionals they fill, each
    # with the node types it accepts: the optional ones are filled in order.
    slots: tuple[tuple[tuple[Positional, frozenset[type]], ...], ...]
    # Whether some tag only works together with another.
    needs_tags: bool
    required_groups: tuple[str, ...]


def build_signature(registry: Registry, spec: CommandSpec | TestSpec) -> Signature:
    tags = registry.tags_of(spec)
    declared = spec.signature.positionals
    required = sum(not p.optional for p in declared)
    # Only the last positionals may be optional (spec.py), so n arguments fill the first n.
    slots = tuple(
        tuple((positional, _FITS[positional.kind]) for positional in declared[:given])
        for given in range(required, len(declared) + 1)
    )
    tag_values = {
        name: _FITS[p.spec.value]
        for name, p in tags.items()
        if isinstance(p.spec, SpecTag) and p.spec.value is not None
    }
    needs_tags = any(getattr(p.spec, "needs_tag", None) for p in tags.values())
    return Signature(
        spec,
        tags,
        tag_values,
        declared,
        required,
        slots,
        needs_tags,
        spec.signature.required_groups,
    )


# Signatures by registry, then by the id of their spec (specs live as long as the
# extension modules that declare them, and each entry keeps its spec).
SIGNATURES: WeakKeyDictionary[Registry, dict[int, Signature]] = WeakKeyDictionary()

__all__ = ["SIGNATURES", "Signature", "build_signature"]
