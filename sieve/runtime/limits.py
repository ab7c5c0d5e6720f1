"""Every resource limit with its default, in one place (see DESIGN.md, "Limits").

Scripts are untrusted: a limit turns what would be a hang, a crash or a runaway into a
diagnostic (at compile time) or a clean stop with the implicit keep (at run time).
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True, slots=True)
class Limits:
    """Limits on scripts and runs. Create one with the fields you want to change:
    `Limits(max_script_size=64 * KIB)`."""

    # Parse time.
    max_script_size: int = 1 * MIB
    """Bytes of script source; larger scripts are refused before lexing."""
    max_block_depth: int = 32
    """Blocks nested inside blocks (`if … { if … { … } }`)."""
    max_test_depth: int = 32
    """Tests nested inside tests (`not`, `anyof`, `allof`); the Oracle dialect's parentheses
    around a test add no level, since they add no node."""
    max_string_length: int = 64 * KIB
    """Characters in one string literal, quoted or `text:`."""
    max_arguments: int = 64
    """Arguments of one command or test, tags included."""
    max_diagnostics: int = 100
    """Diagnostics reported for one script before the rest are summarised as one."""
