"""The extension modules for fileinto, envelope, encoded-character (RFC 5228), reject and
ereject (RFC 5429), variables (RFC 5229), relational (RFC 5231), i;ascii-numeric (RFC 4790),
subaddress (RFC 5233), copy (RFC 3894), body (RFC 5173), imap4flags (RFC 5232), vacation
(RFC 5230) and vacation-seconds (RFC 6131): the registry offers what each RFC defines, and
each module's example scripts in corpus/extensions/<capability>/ are usable as fixtures."""

import re
from pathlib import Path

import pytest

import sieve
from sieve.extensions import Registry, all_extensions
from sieve.extensions.spec import (
    ADDRESS_PART,
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    Positional,
    Signature,
)
from sieve.syntax import ast

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "extensions"

CAPABILITIES = (
    "fileinto",
    "reject",
    "ereject",
    "envelope",
    "encoded-character",
    "variables",
    "relational",
    "comparator-i;ascii-numeric",
    "subaddress",
    "copy",
    "body",
    "imap4flags",
    "vacation",
    "vacation-seconds",
)

# The diagnostic codes of the checker that an invalid example may name.
CODES = frozenset(
    (
        "missing-require", "unknown-capability", "disabled-capability", "require-not-first",
        "unknown-command", "unknown-test", "unknown-tag", "duplicate-tag", "conflicting-tags",
        "missing-tag", "missing-argument", "too-many-arguments", "wrong-argument-type",
        "bad-value", "missing-test", "unexpected-test", "test-list-expected", "test-expected",
        "missing-block", "unexpected-block", "elsif-without-if", "else-without-if",
        "unknown-comparator", "bad-header-name", "missing-dependency", "bad-variable",
        "bad-variable-name", "bad-regex", "break-outside-foreverypart", "bad-encoded-character",
        "comparator-match-type",
    )
)  # fmt: skip

REGISTRY = Registry()


def kinds(signature: Signature) -> list[tuple[str, Arg, bool]]:
    return [(p.name, p.kind, p.optional) for p in signature.positionals]


def command_tags(name: str, registry: Registry = REGISTRY) -> dict:
    return registry.tags_of(registry.commands[name].spec)


def tags_of_test(name: str, registry: Registry = REGISTRY) -> dict:
    return registry.tags_of(registry.tests[name].spec)


# --- the declarations -----------------------------------------------------------------


def test_fileinto_takes_one_mailbox() -> None:
    provided = REGISTRY.commands["fileinto"]
    assert provided.capability == "fileinto"
    assert provided.spec.signature.positionals == (
        Positional("mailbox", Arg.STRING, role="mailbox"),
    )
    assert not provided.spec.block


@pytest.mark.parametrize("name", ["reject", "ereject"])
def test_reject_and_ereject_take_a_reason(name: str) -> None:
    provided = REGISTRY.commands[name]
    assert provided.capability == name
    assert kinds(provided.spec.signature) == [("reason", Arg.STRING, False)]
    assert provided.spec.signature.tags == ()


def test_envelope_parts_are_from_and_to() -> None:
    provided = REGISTRY.tests["envelope"]
    assert provided.capability == "envelope"
    signature = provided.spec.signature
    assert kinds(signature) == [
        ("envelope-part", Arg.STRING_LIST, False),
        ("key-list", Arg.STRING_LIST, False),
    ]
    assert signature.positionals[0].values == ("from", "to")
    assert set(signature.groups) == {ADDRESS_PART, COMPARATOR, MATCH_TYPE}
    assert {"all", "localpart", "domain", "is", "comparator"} <= set(tags_of_test("envelope"))


def test_encoded_character_is_a_capability_only() -> None:
    extension = all_extensions()["encoded-character"]
    assert "encoded-character" in REGISTRY.known
    assert extension.commands == extension.tests == extension.group_tags == ()
    assert extension.extra_tags == extension.comparators == ()


def test_set_modifiers_conflict_only_at_equal_precedence() -> None:
    provided = REGISTRY.commands["set"]
    assert provided.capability == "variables"
    signature = provided.spec.signature
    assert kinds(signature) == [("name", Arg.STRING, False), ("value", Arg.STRING, False)]
    assert signature.positionals[0].role == "variable-name"
    tags = {tag.name: tag for tag in signature.tags}
    assert set(tags) == {"lower", "upper", "lowerfirst", "upperfirst", "quotewildcard", "length"}
    assert all(tag.value is None for tag in tags.values())
    # RFC 5229 §4.1: :lower/:upper share precedence 40, :lowerfirst/:upperfirst 30.
    assert tags["lower"].group is not None and tags["lower"].group == tags["upper"].group
    assert tags["lowerfirst"].group is not None
    assert tags["lowerfirst"].group == tags["upperfirst"].group
    assert tags["lower"].group != tags["lowerfirst"].group
    # Precedence 20 is shared with the regex draft's :quoteregex; :length (10) is alone.
    assert tags["quotewildcard"].group is not None
    assert tags["quotewildcard"].group not in (tags["lower"].group, tags["lowerfirst"].group)
    assert tags["length"].group is None


def test_string_test_matches_lists() -> None:
    provided = REGISTRY.tests["string"]
    assert provided.capability == "variables"
    assert kinds(provided.spec.signature) == [
        ("source", Arg.STRING_LIST, False),
        ("key-list", Arg.STRING_LIST, False),
    ]
    assert set(provided.spec.signature.groups) == {COMPARATOR, MATCH_TYPE}
    assert ADDRESS_PART not in provided.spec.signature.groups


@pytest.mark.parametrize("name", ["count", "value"])
def test_relational_match_types(name: str) -> None:
    provided = REGISTRY.group_tags[MATCH_TYPE][name]
    assert provided.capability == "relational"
    assert provided.spec.value is Arg.STRING
    assert provided.spec.values == ("gt", "ge", "lt", "le", "eq", "ne")
    # A match type, so every test with MATCH-TYPE takes it, the string test included.
    for test_name in ("header", "address", "envelope", "string", "body", "hasflag"):
        assert tags_of_test(test_name)[name].capability == "relational"


def test_ascii_numeric_comparator_needs_its_capability() -> None:
    assert REGISTRY.comparators["i;ascii-numeric"] == "comparator-i;ascii-numeric"
    assert REGISTRY.comparators["i;octet"] == ""
    assert "i;ascii-numeric" not in Registry(enabled=["relational"]).comparators


@pytest.mark.parametrize("name", ["user", "detail"])
def test_subaddress_address_parts(name: str) -> None:
    provided = REGISTRY.group_tags[ADDRESS_PART][name]
    assert provided.capability == "subaddress"
    assert provided.spec.value is None
    assert tags_of_test("address")[name].capability == "subaddress"
    assert tags_of_test("envelope")[name].capability == "subaddress"
    assert name not in tags_of_test("header")


def test_copy_on_fileinto_and_redirect_only() -> None:
    for command in ("fileinto", "redirect"):
        provided = command_tags(command)["copy"]
        assert provided.capability == "copy"
        assert provided.spec.value is None and provided.spec.group is None
    assert "copy" not in command_tags("keep")
    assert "copy" not in command_tags("redirect", Registry(enabled=["fileinto"]))


def test_body_transforms_exclude_each_other() -> None:
    provided = REGISTRY.tests["body"]
    assert provided.capability == "body"
    signature = provided.spec.signature
    assert kinds(signature) == [("key-list", Arg.STRING_LIST, False)]
    tags = {tag.name: tag for tag in signature.tags}
    assert set(tags) == {"raw", "content", "text"}
    assert len({tag.group for tag in tags.values()}) == 1 and tags["raw"].group is not None
    assert tags["content"].value is Arg.STRING_LIST
    assert tags["raw"].value is None and tags["text"].value is None
    assert set(signature.groups) == {COMPARATOR, MATCH_TYPE}
    assert signature.required_groups == ()


@pytest.mark.parametrize("name", ["setflag", "addflag", "removeflag"])
def test_flag_actions_take_flags_after_an_optional_variable(name: str) -> None:
    provided = REGISTRY.commands[name]
    assert provided.capability == "imap4flags"
    # One string list (the flags), or two (a variable name, then the flags).
    assert [(kind, optional) for _, kind, optional in kinds(provided.spec.signature)] == [
        (Arg.STRING_LIST, False),
        (Arg.STRING_LIST, True),
    ]
    assert provided.spec.signature.positionals[-1].name == "list-of-flags"


def test_hasflag_and_flags_tag() -> None:
    provided = REGISTRY.tests["hasflag"]
    assert provided.capability == "imap4flags"
    signature = provided.spec.signature
    assert [optional for _, _, optional in kinds(signature)] == [False, True]
    assert set(signature.groups) == {COMPARATOR, MATCH_TYPE}
    for command in ("keep", "fileinto"):
        flags = command_tags(command)["flags"]
        assert flags.capability == "imap4flags"
        assert flags.spec.value is Arg.STRING_LIST
    assert "flags" not in command_tags("redirect")


def test_vacation_signature() -> None:
    provided = REGISTRY.commands["vacation"]
    assert provided.capability == "vacation"
    signature = provided.spec.signature
    assert kinds(signature) == [("reason", Arg.STRING, False)]
    values = {tag.name: tag.value for tag in signature.tags}
    assert values == {
        "days": Arg.NUMBER,
        "subject": Arg.STRING,
        "from": Arg.STRING,
        "addresses": Arg.STRING_LIST,
        "mime": None,
        "handle": Arg.STRING,
    }
    assert "seconds" not in command_tags("vacation", Registry(enabled=["vacation"]))


def test_vacation_seconds_shares_the_period_group_with_days() -> None:
    tags = command_tags("vacation")
    assert tags["seconds"].capability == "vacation-seconds"
    assert tags["seconds"].spec.value is Arg.NUMBER
    assert tags["days"].capability == "vacation"
    assert tags["seconds"].spec.group is not None
    assert tags["seconds"].spec.group == tags["days"].spec.group
    assert REGISTRY.implies["vacation-seconds"] == ("vacation",)


# --- the example scripts --------------------------------------------------------------

EXPECT = re.compile(r"# expect: ([a-z-]+(?:, [a-z-]+)*)\n")


def scripts(capability: str, kind: str) -> list[Path]:
    return sorted((CORPUS / capability).glob(f"{kind}-*.sieve"))


def walk(commands: list[ast.Command], used: dict[str, set]) -> None:
    """Collects the commands, tests, (owner, tag) pairs and comparator names a script uses."""
    for command in commands:
        used["commands"].add(command.name)
        note_arguments(command.name, command.arguments, used)
        note_tests(command.test, used)
        if command.block is not None:
            walk(command.block.commands, used)


def note_tests(test: ast.Test | ast.TestList | None, used: dict[str, set]) -> None:
    if isinstance(test, ast.TestList):
        for each in test.tests:
            note_tests(each, used)
    elif isinstance(test, ast.Test):
        used["tests"].add(test.name)
        note_arguments(test.name, test.arguments, used)
        note_tests(test.test, used)


def note_arguments(owner: str, arguments: list, used: dict[str, set]) -> None:
    for argument, following in zip(arguments, [*arguments[1:], None], strict=False):
        if isinstance(argument, ast.Tag):
            used["tags"].add((owner, argument.name))
            if argument.name == "comparator" and isinstance(following, ast.String):
                used["comparators"].add(following.value)


def required(script: ast.Script) -> set[str]:
    names: set[str] = set()
    for command in script.commands:
        if command.name == "require":
            for argument in command.arguments:
                strings = argument.strings if isinstance(argument, ast.StringList) else [argument]
                names.update(s.value for s in strings if isinstance(s, ast.String))
    return names


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_every_module_has_examples(capability: str) -> None:
    assert capability in all_extensions()
    assert len(scripts(capability, "valid")) >= 1
    assert len(scripts(capability, "invalid")) >= 2


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_valid_examples_parse_require_and_use_everything(capability: str) -> None:
    used: dict[str, set] = {"commands": set(), "tests": set(), "tags": set(), "comparators": set()}
    for path in scripts(capability, "valid"):
        result = sieve.parse(path.read_bytes())
        assert result.diagnostics == [], path.name
        assert result.script is not None
        assert capability in required(result.script), path.name
        walk(result.script.commands, used)

    extension = all_extensions()[capability]
    tags_used = {tag for _, tag in used["tags"]}
    for command in extension.commands:
        assert command.name in used["commands"]
        assert {(command.name, tag.name) for tag in command.signature.tags} <= used["tags"]
    for test in extension.tests:
        assert test.name in used["tests"]
        assert {(test.name, tag.name) for tag in test.signature.tags} <= used["tags"]
    assert {tag.name for tag in extension.group_tags} <= tags_used
    for target, tags in extension.extra_tags:
        assert {(target, tag.name) for tag in tags} <= used["tags"]
    assert set(extension.comparators) <= used["comparators"]


@pytest.mark.parametrize(
    "path",
    [path for capability in CAPABILITIES for path in scripts(capability, "invalid")],
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_invalid_examples_name_known_codes_and_parse(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    match = EXPECT.match(text)
    assert match, "line 1 must be '# expect: CODE[, CODE...]'"
    assert set(match.group(1).split(", ")) <= CODES
    # The mistakes are for the checker: the grammar accepts every example.
    assert sieve.parse(text).diagnostics == []
