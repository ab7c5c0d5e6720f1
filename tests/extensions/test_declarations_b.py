"""The declarations of the notification, date, header-editing, MIME, spam and Oracle
extensions: what the registry offers once they are enabled, and that every valid example
script of theirs is grammatical."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sieve
from sieve.extensions import Registry
from sieve.extensions.spec import (
    ADDRESS_PART,
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    CommandSpec,
    Signature,
    Tag,
)
from sieve.extensions.spec import TestSpec as SieveTestSpec  # not a pytest class

EXAMPLES = Path(__file__).resolve().parents[2] / "corpus" / "extensions"

STANDARD = (
    "enotify",
    "regex",
    "date",
    "index",
    "editheader",
    "mailbox",
    "environment",
    "ihave",
    "include",
    "duplicate",
    "extlists",
    "mime",
    "foreverypart",
    "replace",
    "enclose",
    "extracttext",
    "spamtest",
    "spamtestplus",
    "virustest",
)
ORACLE = ("addheader", "addtag", "spamadjust", "jettison")


def command(registry: Registry, name: str, capability: str) -> Signature:
    provided = registry.commands[name]
    assert provided.capability == capability
    assert isinstance(provided.spec, CommandSpec)
    return provided.spec.signature


def sieve_test(registry: Registry, name: str, capability: str) -> Signature:
    provided = registry.tests[name]
    assert provided.capability == capability
    assert isinstance(provided.spec, SieveTestSpec)
    return provided.spec.signature


def tags(registry: Registry, kind: str, name: str) -> dict[str, Tag]:
    table = registry.commands if kind == "command" else registry.tests
    offered = registry.tags_of(table[name].spec)
    return {tag: provided.spec for tag, provided in offered.items()}


def shape(signature: Signature) -> list[tuple[str, Arg, bool]]:
    return [(p.name, p.kind, p.optional) for p in signature.positionals]


# Every module is found, in the dialects it belongs to.


def test_standard_capabilities_are_known() -> None:
    known = Registry().known
    assert set(STANDARD) <= known
    assert not set(ORACLE) & known


def test_oracle_capabilities_are_known_in_the_oracle_dialect() -> None:
    assert set(STANDARD + ORACLE) <= Registry(dialect="oracle").known


# RFC 5435


def test_enotify_notify() -> None:
    registry = Registry(["enotify", "variables"])
    signature = command(registry, "notify", "enotify")
    assert shape(signature) == [("method", Arg.STRING, False)]
    offered = tags(registry, "command", "notify")
    assert offered["importance"] == Tag("importance", Arg.STRING, values=("1", "2", "3"))
    assert offered["options"].value is Arg.STRING_LIST
    assert {"from", "message"} <= set(offered)
    assert "encodeurl" in tags(registry, "command", "set")


def test_enotify_tests() -> None:
    registry = Registry(["enotify"])
    valid = sieve_test(registry, "valid_notify_method", "enotify")
    assert shape(valid) == [("notification-uris", Arg.STRING_LIST, False)]
    capability = sieve_test(registry, "notify_method_capability", "enotify")
    assert [p.kind for p in capability.positionals] == [Arg.STRING, Arg.STRING, Arg.STRING_LIST]
    assert set(capability.groups) == {COMPARATOR, MATCH_TYPE}


# draft-ietf-sieve-regex


def test_regex_is_a_match_type_and_a_set_modifier() -> None:
    registry = Registry(["regex", "variables"])
    assert registry.group_tags[MATCH_TYPE]["regex"].capability == "regex"
    assert "regex" in tags(registry, "test", "header")
    assert "quoteregex" in tags(registry, "command", "set")
    assert "regex" not in Registry(["variables"]).group_tags[MATCH_TYPE]


# RFC 5260


def test_date_test() -> None:
    registry = Registry(["date"])
    signature = sieve_test(registry, "date", "date")
    assert [p.name for p in signature.positionals] == ["header-name", "date-part", "key-list"]
    assert signature.positionals[0].role == "header-name"
    assert signature.positionals[1].values is not None
    assert {"weekday", "iso8601", "std11", "julian"} <= set(signature.positionals[1].values)
    assert len(signature.positionals[1].values) == 13
    offered = tags(registry, "test", "date")
    assert offered["zone"].group == offered["originalzone"].group
    assert offered["zone"].value is Arg.STRING and offered["originalzone"].value is None


def test_currentdate_test() -> None:
    registry = Registry(["date"])
    signature = sieve_test(registry, "currentdate", "date")
    assert [p.name for p in signature.positionals] == ["date-part", "key-list"]
    offered = tags(registry, "test", "currentdate")
    assert "zone" in offered and "originalzone" not in offered
    assert {"is", "comparator"} <= set(offered)


def test_index_tags() -> None:
    registry = Registry(["index", "date"])
    for name in ("header", "address", "date"):
        offered = tags(registry, "test", name)
        assert offered["index"].value is Arg.NUMBER
        assert offered["last"].value is None
    assert "index" not in tags(registry, "test", "exists")
    assert registry.extra_tags["header"]["index"].capability == "index"


# RFC 5293


def test_editheader_commands() -> None:
    registry = Registry(["editheader"])
    add = command(registry, "addheader", "editheader")
    assert shape(add) == [("field-name", Arg.STRING, False), ("value", Arg.STRING, False)]
    assert add.positionals[0].role == "header-name"
    assert [t.name for t in add.tags] == ["last"]
    delete = command(registry, "deleteheader", "editheader")
    assert shape(delete) == [
        ("field-name", Arg.STRING, False),
        ("value-patterns", Arg.STRING_LIST, True),
    ]
    offered = tags(registry, "command", "deleteheader")
    assert offered["index"].value is Arg.NUMBER
    assert {"last", "matches", "comparator"} <= set(offered)


# RFC 5490, RFC 5183, RFC 5463


def test_mailbox() -> None:
    registry = Registry(["mailbox", "fileinto"])
    exists = sieve_test(registry, "mailboxexists", "mailbox")
    assert shape(exists) == [("mailbox-names", Arg.STRING_LIST, False)]
    assert exists.positionals[0].role == "mailbox"
    assert registry.tags_of(registry.commands["fileinto"].spec)["create"].capability == "mailbox"


def test_environment() -> None:
    signature = sieve_test(Registry(["environment"]), "environment", "environment")
    assert shape(signature) == [("name", Arg.STRING, False), ("key-list", Arg.STRING_LIST, False)]
    assert set(signature.groups) == {COMPARATOR, MATCH_TYPE}


def test_ihave_and_error() -> None:
    registry = Registry(["ihave"])
    ihave = sieve_test(registry, "ihave", "ihave")
    assert shape(ihave) == [("capabilities", Arg.STRING_LIST, False)]
    assert ihave.positionals[0].role == "capability"
    assert shape(command(registry, "error", "ihave")) == [("message", Arg.STRING, False)]


# RFC 6609, RFC 7352, RFC 6134


def test_include_commands() -> None:
    registry = Registry(["include"])
    include = command(registry, "include", "include")
    assert shape(include) == [("value", Arg.STRING, False)]
    offered = tags(registry, "command", "include")
    assert offered["personal"].group == offered["global"].group == "location"
    assert offered["once"].group is None and offered["optional"].group is None
    assert command(registry, "return", "include") == Signature()
    assert shape(command(registry, "global", "include")) == [("value", Arg.STRING_LIST, False)]


def test_duplicate_test() -> None:
    registry = Registry(["duplicate"])
    signature = sieve_test(registry, "duplicate", "duplicate")
    assert signature.positionals == ()
    offered = tags(registry, "test", "duplicate")
    assert offered["header"].group == offered["uniqueid"].group == "duplicate-key"
    assert offered["handle"].value is Arg.STRING
    assert offered["seconds"].value is Arg.NUMBER
    assert offered["last"].value is None


def test_extlists() -> None:
    registry = Registry(["extlists", "envelope"])
    assert registry.group_tags[MATCH_TYPE]["list"].capability == "extlists"
    assert "list" in tags(registry, "test", "envelope")
    assert "list" in tags(registry, "command", "redirect")
    valid = sieve_test(registry, "valid_ext_list", "extlists")
    assert shape(valid) == [("ext-list-names", Arg.STRING_LIST, False)]


# RFC 5703


def test_mime_tags() -> None:
    registry = Registry(["mime"])
    header = tags(registry, "test", "header")
    options = {name for name, tag in header.items() if tag.group == "mime-option"}
    assert options == {"type", "subtype", "contenttype", "param"}
    assert header["param"].value is Arg.STRING_LIST
    assert {"mime", "anychild"} <= set(header)
    for name in ("address", "exists"):
        offered = tags(registry, "test", name)
        assert {"mime", "anychild"} <= set(offered)
        assert "type" not in offered
    assert ADDRESS_PART in registry.tests["address"].spec.signature.groups


def test_foreverypart_and_break() -> None:
    registry = Registry(["foreverypart"])
    loop = registry.commands["foreverypart"].spec
    assert isinstance(loop, CommandSpec) and loop.block
    assert loop.signature.tags == (Tag("name", Arg.STRING),)
    stop = registry.commands["break"].spec
    assert isinstance(stop, CommandSpec) and not stop.block
    assert stop.signature.tags == (Tag("name", Arg.STRING),)


def test_replace_enclose_extracttext() -> None:
    registry = Registry(["replace", "enclose", "extracttext", "variables", "foreverypart"])
    replace = command(registry, "replace", "replace")
    assert shape(replace) == [("replacement", Arg.STRING, False)]
    assert {t.name for t in replace.tags} == {"mime", "subject", "from"}
    enclose = tags(registry, "command", "enclose")
    assert enclose["headers"].value is Arg.STRING_LIST
    assert enclose["subject"].value is Arg.STRING
    extract = tags(registry, "command", "extracttext")
    assert extract["first"].value is Arg.NUMBER
    assert {"lower", "upper", "quotewildcard", "length"} <= set(extract)
    assert registry.depends_on["extracttext"] == ("variables", "foreverypart")


# RFC 5235


def test_spamtest_and_virustest() -> None:
    registry = Registry(["spamtest", "virustest"])
    for name in ("spamtest", "virustest"):
        signature = sieve_test(registry, name, name)
        assert shape(signature) == [("value", Arg.STRING, False)]
        assert set(signature.groups) == {COMPARATOR, MATCH_TYPE}
    assert "percent" not in tags(registry, "test", "spamtest")


def test_spamtestplus_adds_percent_to_spamtest_only() -> None:
    registry = Registry(["spamtest", "spamtestplus", "virustest"])
    assert registry.extra_tags["spamtest"]["percent"].capability == "spamtestplus"
    assert "percent" not in tags(registry, "test", "virustest")
    assert registry.depends_on["spamtestplus"] == ()


# Oracle Communications Messaging Server


def test_oracle_addheader_takes_one_whole_line() -> None:
    registry = Registry(["addheader"], dialect="oracle")
    assert shape(command(registry, "addheader", "addheader")) == [("field", Arg.STRING, False)]
    # The standard dialect has only editheader's addheader.
    assert Registry(dialect="standard").commands["addheader"].capability == "editheader"


def test_oracle_actions() -> None:
    registry = Registry(["addtag", "spamadjust", "spamtest", "jettison"], dialect="oracle")
    assert shape(command(registry, "addtag", "addtag")) == [("tag", Arg.STRING, False)]
    adjust = command(registry, "spamadjust", "spamadjust")
    assert shape(adjust) == [("adjustment", Arg.STRING, False)]
    assert registry.depends_on["spamadjust"] == ("spamtest",)
    assert command(registry, "jettison", "jettison") == Signature()


# The valid examples are grammatical in their dialect.


def examples() -> list[Path]:
    return [
        path
        for capability in STANDARD + ORACLE
        for path in sorted((EXAMPLES / capability).glob("valid*.sieve"))
    ]


@pytest.mark.parametrize("path", examples(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_example_parses_clean(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    dialect = "oracle" if path.parent.name in ORACLE else "standard"
    assert bool(re.search(r"^# dialect: oracle$", text, re.MULTILINE)) == (dialect == "oracle")
    assert re.search(rf'^require \[?[^;]*"{re.escape(path.parent.name)}"', text, re.MULTILINE)
    result = sieve.parse(text, dialect=dialect)
    assert result.diagnostics == []
    assert result.script is not None


def test_every_module_has_examples() -> None:
    for capability in STANDARD + ORACLE:
        folder = EXAMPLES / capability
        assert list(folder.glob("valid-*.sieve")), capability
        invalid = list(folder.glob("invalid-*.sieve"))
        assert len(invalid) >= 2, capability
        for path in invalid:
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert re.fullmatch(r"# expect: [a-z-]+(, [a-z-]+)*", first), path
