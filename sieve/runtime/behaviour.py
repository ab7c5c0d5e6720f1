"""How an extension module says what its commands and tests do at run time:

    BEHAVIOUR = Behaviour()

    @BEHAVIOUR.command("fileinto")
    def fileinto(run: Run, args: Args) -> None: ...

The VM looks the functions up by name when it links a program, once per program."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

Implementation = Callable[["Run", "Args"], Any]


class Behaviour:
    """The run-time half of one extension module: its commands and tests by name."""

    def __init__(self) -> None:
        self.commands: dict[str, Implementation] = {}
        self.tests: dict[str, Implementation] = {}

    def command(self, *names: str) -> Callable[[Implementation], Implementation]:
        def register(function: Implementation) -> Implementation:
            for name in names:
                self.commands[name] = function
            return function

        return register

    def test(self, *names: str) -> Callable[[Implementation], Implementation]:
        def register(function: Implementation) -> Implementation:
            for name in names:
                self.tests[name] = function
            return function

        return register
