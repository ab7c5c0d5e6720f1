"""Compiling checked scripts to Programs, their binary form and their listing; and the
public `compile()` with its cache."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sieve.check.checker import Checker
from sieve.compiler.binary import BinaryError, from_bytes, to_bytes
from sieve.compiler.compiler import compile_script
from sieve.compiler.dump import dump
from sieve.compiler.program import Program
from sieve.diagnostics import Diagnostic, capped
from sieve.extensions.registry import Registry
from sieve.runtime.limits import Limits
from sieve.syntax import parse

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from email.message import Message

    from sieve.runtime.host import Envelope, Host
    from sieve.runtime.result import Result
    from sieve.syntax.ast import Script


class CompileError(Exception):
    """The script has errors; `.diagnostics` lists every one."""

    def __init__(self, diagnostics: list[Diagnostic], name: str = "") -> None:
        first = diagnostics[0] if diagnostics else None
        where = f"{name or '<script>'}:{first.line}:{first.column}: " if first else ""
        super().__init__(f"{where}{first.message if first else 'invalid script'}")
        self.diagnostics = diagnostics
        self.name = name


@dataclass(frozen=True, slots=True)
class CompiledScript:
    """A script ready to run: its program and the warnings its check produced. Immutable
    and safe to run from several threads at once."""

    program: Program
    name: str = ""
    warnings: list[Diagnostic] = field(default_factory=list)
    limits: Limits | None = None
    # The capabilities the script was checked against (the server's list); None is all we
    # know. ihave answers from it at run time.
    extensions: frozenset[str] | None = None
    # The program linked to its implementations, made on the first run (a race only
    # builds the same thing twice).
    _linked: list[Any] = field(default_factory=list, compare=False, repr=False)

    def to_bytes(self) -> bytes:
        return to_bytes(self.program)

    def linked(self) -> Any:
        """The program bound to its implementations (sieve.runtime.linking.Linked)."""
        if not self._linked:
            from sieve.runtime.linking import link

            self._linked.append(link(self.program))
        return self._linked[0]

    def run(
        self,
        message: bytes | str | Message,
        envelope: Envelope | None = None,
        environment: Mapping[str, str] | None = None,
        host: Host | None = None,
        *,
        limits: Limits | None = None,
        trace: bool = False,
    ) -> Result:
        """What this script does to this message. Never raises for anything the script or
        the message does: faults and exceeded limits end in the implicit keep, with
        `status` "failed" or "limit" and the reason in `errors`."""
        from sieve.runtime.vm import execute

        return execute(
            self.linked(),
            message,
            envelope=envelope,
            environment=environment,
            host=host,
            limits=limits or self.limits,
            trace=trace,
            name=self.name,
            compile_included=_compile_included,
            extensions=self.extensions,
        )


def _compile_included(
    source: str | bytes,
    name: str,
    dialect: str,
    limits: Limits,
    extensions: frozenset[str] | None,
) -> Any:
    """RFC 6609: included scripts are compiled like any other, once (by content), and
    linked once; with the including run's limits and capabilities, so an include can neither
    be bigger than the run allows nor use an extension the server does not offer."""
    return _INCLUDED.compile(
        source, name=name, dialect=dialect, limits=limits, extensions=extensions
    ).linked()


def compile_source(
    source: str | bytes,
    *,
    name: str = "",
    extensions: Iterable[str] | None = None,
    limits: Limits | None = None,
    dialect: str = "standard",
    callout_check: Callable[[Script, frozenset[str]], list[Diagnostic]] | None = None,
) -> CompiledScript:
    """Parses, checks and compiles; raises CompileError with every diagnostic.
    `callout_check` adds the Oracle mapping-table check (sieve.mapping.callouts)."""
    # Read once: `extensions` may be a generator.
    enabled = None if extensions is None else frozenset(extensions)
    parsed = parse(source, dialect=dialect, limits=limits)
    if not parsed.ok or parsed.script is None:
        raise CompileError(parsed.diagnostics, name)
    registry = Registry.shared(enabled, dialect)
    checker = Checker(registry, dialect)
    checker.script(parsed.script)
    if callout_check is not None:
        checker.diagnostics += callout_check(parsed.script, frozenset(registry.tests))
    errors = [d for d in checker.diagnostics if d.is_error]
    if errors:
        raise CompileError(capped(checker.diagnostics, (limits or Limits()).max_diagnostics), name)
    capabilities = tuple(sorted(checker.required))
    program = compile_script(parsed.script, capabilities, registry, dialect, name)
    warnings = [d for d in checker.diagnostics if not d.is_error]
    return CompiledScript(program, name, warnings, limits, enabled)


class ScriptCache:
    """Compiled scripts by content hash and settings, so a server compiles each script once.
    Thread-safe; holds at most `size` scripts, dropping the least recently used."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._scripts: OrderedDict[bytes, CompiledScript] = OrderedDict()
        self._lock = threading.Lock()

    def compile(
        self,
        source: str | bytes,
        *,
        name: str = "",
        extensions: Iterable[str] | None = None,
        limits: Limits | None = None,
        dialect: str = "standard",
    ) -> CompiledScript:
        data = source.encode("utf-8") if isinstance(source, str) else source
        enabled = None if extensions is None else tuple(sorted(set(extensions)))
        key = hashlib.sha256(repr((data, name, enabled, limits, dialect)).encode()).digest()
        with self._lock:
            found = self._scripts.get(key)
            if found is not None:
                self._scripts.move_to_end(key)
                return found
        compiled = compile_source(
            data, name=name, extensions=enabled, limits=limits, dialect=dialect
        )
        with self._lock:
            self._scripts[key] = compiled
            while len(self._scripts) > self.size:
                self._scripts.popitem(last=False)
        return compiled


_INCLUDED = ScriptCache()

__all__ = [
    "BinaryError",
    "CompileError",
    "CompiledScript",
    "Program",
    "ScriptCache",
    "compile_source",
    "dump",
    "from_bytes",
    "to_bytes",
]
