"""What is in force where a command stands, as the checker's walk carries it down.

Separate from the walk (`checker`) because the argument checks (`arguments`) read it too
(which capabilities are required there), and neither should import the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Scope:
    """What is in force where a command stands."""

    required: set[str]
    # The commands whose blocks enclose this point, innermost last.
    enclosing: tuple[str, ...] = ()
    # The names of the enclosing foreverypart loops (RFC 5703 §3 `:name`).
    loop_names: tuple[str, ...] = ()


__all__ = ["Scope"]
