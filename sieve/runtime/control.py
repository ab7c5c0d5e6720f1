"""The exceptions that end a run or a script early, raised by the VM, the linker and the
extensions (include's `return`) alike.

They live apart from the VM so that the linker and the extensions can raise them without
importing the interpreter, and so that the import graph has no cycle through `vm`."""

from __future__ import annotations


class RunStop(Exception):
    """Ends a run early: a fault (status failed) or an exceeded limit (status limit)."""

    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class ScriptReturn(Exception):
    """RFC 6609 `return`: leaves the current (included) script."""


class ScriptStop(Exception):
    """RFC 5228 §3.3 `stop`: ends the whole run, from any depth of included scripts."""
