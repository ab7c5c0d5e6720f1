"""Finds the extension modules and answers what a set of capabilities provides."""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import sieve.extensions as package
from sieve.extensions.spec import Alias, CommandSpec, Extension, Tag, TestSpec

_NOT_EXTENSIONS = {"registry", "spec"}


@cache
def all_extensions() -> dict[str, Extension]:
    """Every extension module's declaration, by capability ("" is the base language)."""
    found: dict[str, Extension] = {}
    for module in pkgutil.iter_modules(package.__path__):
        if module.name in _NOT_EXTENSIONS or module.name.startswith("_"):
            continue
        extension = importlib.import_module(f"{package.__name__}.{module.name}").EXTENSION
        if extension.capability in found:
            raise RuntimeError(f"two modules declare the capability {extension.capability!r}")
        found[extension.capability] = extension
    return found


@cache
def _shared(enabled: frozenset[str] | None, dialect: str) -> Registry:
    return Registry(enabled, dialect)


@dataclass(frozen=True, slots=True)
class Provided:
    """A command, test or tag and the capability that provides it ("" for the base)."""

    spec: CommandSpec | TestSpec | Tag
    capability: str


class Registry:
    """What the enabled extensions offer, like a server's capability list. `enabled=None`
    enables everything this dialect has."""

    def __init__(self, enabled: Iterable[str] | None = None, dialect: str = "standard") -> None:
        extensions = {
            name: extension
            for name, extension in all_extensions().items()
            if extension.dialects is None or dialect in extension.dialects
        }
        wanted = set(extensions) if enabled is None else {"", *enabled}
        self.known = frozenset(extensions) - {""}
        self.enabled = frozenset(wanted & set(extensions)) - {""}
        self.commands: dict[str, Provided] = {}
        self.tests: dict[str, Provided] = {}
        self.group_tags: dict[str, dict[str, Provided]] = {}
        self.extra_tags: dict[str, dict[str, Provided]] = {}
        self.comparators: dict[str, str] = {}
        self.depends_on: dict[str, tuple[str, ...]] = {}
        self.implies: dict[str, tuple[str, ...]] = {}
        self.aliases: dict[str, Alias] = {}
        self.namespaces: set[str] = set()
        self.dialect = dialect
        self._tags: dict[tuple[bool, str], dict[str, Provided]] = {}
        self._valued: dict[tuple[bool, str], frozenset[str]] = {}
        # A dialect's own extensions come last, so that where a name means something else
        # in that dialect (Oracle's one-argument addheader), the dialect's meaning wins.
        for name in sorted(
            wanted & set(extensions), key=lambda n: (extensions[n].dialects is not None, n)
        ):
            self._add(extensions[name])

    def _add(self, extension: Extension) -> None:
        capability = extension.capability
        for command in extension.commands:
            self.commands[command.name] = Provided(command, capability)
        for test in extension.tests:
            self.tests[test.name] = Provided(test, capability)
        for tag in extension.group_tags:
            assert tag.group is not None, f"{capability}: group tag :{tag.name} has no group"
            self.group_tags.setdefault(tag.group, {})[tag.name] = Provided(tag, capability)
        for target, tags in extension.extra_tags:
            for tag in tags:
                self.extra_tags.setdefault(target, {})[tag.name] = Provided(tag, capability)
        for comparator in extension.comparators:
            self.comparators[comparator] = capability
        self.depends_on[capability] = extension.depends_on
        self.implies[capability] = extension.implies
        self.namespaces.update(extension.namespaces)
        for alias in extension.aliases:
            if self.dialect in alias.dialects:
                self.aliases[alias.name] = alias

    @classmethod
    def shared(cls, enabled: Iterable[str] | None = None, dialect: str = "standard") -> Registry:
        """The registry for these settings, built once per process (registries are never
        changed after they are made)."""
        return _shared(None if enabled is None else frozenset(enabled), dialect)

    def tags_of(self, spec: CommandSpec | TestSpec) -> dict[str, Provided]:
        """Every tag a command or test takes with the enabled extensions, by name."""
        key = (isinstance(spec, CommandSpec), spec.name)
        tags = self._tags.get(key)
        if tags is None:
            tags = self._tags[key] = self._collect_tags(spec)
        return tags

    def valued_tags(self, spec: CommandSpec | TestSpec) -> frozenset[str]:
        """The names of the tags of a command or test that take a value (the compiler asks
        at every call, so the answer is kept)."""
        key = (isinstance(spec, CommandSpec), spec.name)
        valued = self._valued.get(key)
        if valued is None:
            valued = self._valued[key] = frozenset(
                name
                for name, provided in self.tags_of(spec).items()
                if getattr(provided.spec, "value", None)
            )
        return valued

    def _collect_tags(self, spec: CommandSpec | TestSpec) -> dict[str, Provided]:
        provider = (self.commands if isinstance(spec, CommandSpec) else self.tests)[spec.name]
        tags = {tag.name: Provided(tag, provider.capability) for tag in spec.signature.tags}
        for group in spec.signature.groups:
            tags.update(self.group_tags.get(group, {}))
        tags.update(self.extra_tags.get(spec.name, {}))
        return tags

    def closest(self, name: str, candidates: Iterable[str]) -> str | None:
        matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.7)
        return matches[0] if matches else None
