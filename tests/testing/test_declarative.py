"""Declarative test files (`*.sievetest.toml`): what they check, how a failure reads, and
that a malformed file is reported rather than raised."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sieve.testing.declarative import from_document, load, run_file
from sieve.testing.declarative_values import TestFileError

SPAM_FILTER = """\
require ["fileinto", "imap4flags"];
if header :contains "Subject" "offer" {
    fileinto :flags "\\\\Seen" "Junk";
    stop;
}
"""

OFFER = """\
From: shop@example.net
To: bob@example.org
Subject: a special offer
Message-ID: <offer-1@example.net>

cheap
"""


def write(folder: Path, test: str, script: str = SPAM_FILTER, name: str = "t") -> Path:
    (folder / "filter.sieve").write_text(script)
    (folder / "offer.eml").write_text(OFFER)
    path = folder / f"{name}.sievetest.toml"
    path.write_text('script = "filter.sieve"\n' + textwrap.dedent(test))
    return path


def outcome(path: Path) -> list[tuple[str, bool, str, str]]:
    result = run_file(path)
    assert not result.error, result.error
    return [(c.name, c.passed, c.reason, c.diff) for c in result.cases]


def test_a_case_passes_when_the_given_keys_of_each_action_match(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[case]]
        name = "offers go to Junk"
        message = "offer.eml"
        expect.actions = [{type = "fileinto", mailbox = "Junk"}]
        expect.implicit_keep = false
        """,
    )
    assert outcome(path) == [("offers go to Junk", True, "", "")]


def test_a_wrong_action_shows_a_diff_of_only_what_differs(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[case]]
        name = "offers go to Spam"
        message = "offer.eml"
        expect.actions = [{type = "fileinto", mailbox = "Spam", flags = ["\\\\Seen"]}]
        expect.implicit_keep = false
        """,
    )
    [(_, passed, reason, diff)] = outcome(path)
    assert not passed
    assert reason == "unexpected actions"
    assert diff.splitlines() == [
        "--- expected",
        "+++ actual",
        "@@ -1,4 +1,4 @@",
        " actions = [",
        '-  {type = "fileinto", mailbox = "Spam", flags = ["\\\\Seen"]},',
        '+  {type = "fileinto", mailbox = "Junk", flags = ["\\\\Seen"]},',
        " ]",
        " implicit_keep = false",
    ]


def test_an_unexpected_extra_action_is_shown_whole(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[case]]
        message = "offer.eml"
        expect.actions = []
        """,
    )
    [(name, passed, _, diff)] = outcome(path)
    assert name == "case 1" and not passed
    assert '+  {type = "fileinto", mailbox = "Junk", flags = ["\\\\Seen"]},' in diff


def test_contains_and_not_contains_and_text_parts(tmp_path: Path) -> None:
    script = 'require "reject";\nreject "Your message was refused: no offers here.";\n'
    path = write(
        tmp_path,
        """
        [[case]]
        name = "refused with a reason"
        message = "offer.eml"
        expect.contains = [{type = "reject", reason_contains = ["refused", "offers"]}]
        expect.not_contains = [{type = "keep"}]

        [[case]]
        name = "wrong text"
        message = "offer.eml"
        expect.contains = [{type = "reject", reason_contains = "accepted"}]

        [[case]]
        name = "forbidden action present"
        message = "offer.eml"
        expect.not_contains = [{type = "reject"}]
        """,
        script,
    )
    results = outcome(path)
    assert [passed for _, passed, _, _ in results] == [True, False, False]
    assert results[1][2].startswith('no action matches {type = "reject", reason_contains')
    assert 'reason = "Your message was refused: no offers here."' in results[1][3]
    assert results[2][2].startswith("an action matches not_contains")


def test_a_run_must_succeed_unless_the_case_says_otherwise(tmp_path: Path) -> None:
    script = 'require "ihave";\nerror "broken on purpose";\n'
    path = write(
        tmp_path,
        """
        [[case]]
        name = "silently expects success"
        message = "offer.eml"
        expect.actions = []

        [[case]]
        name = "expects the failure"
        message = "offer.eml"
        expect.status = "failed"
        expect.errors = [{code = "error-command", message_contains = "on purpose"}]
        expect.implicit_keep = true
        """,
        script,
    )
    first, second = outcome(path)
    assert not first[1] and first[2].startswith("status is failed, not success")
    assert "broken on purpose" in first[2]
    assert second[1], second


def test_a_misspelt_key_fails_the_case_and_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[case]]
        name = "typo"
        message = "offer.eml"
        expect.implict_keep = false

        [[case]]
        name = "fine"
        message = "offer.eml"
        expect.actions = [{type = "fileinto", mailboxx = "Junk"}]
        """,
    )
    typo, field = outcome(path)
    assert not typo[1] and "did you mean 'implicit_keep'?" in typo[2]
    assert not field[1] and "fileinto has no field 'mailboxx'; did you mean 'mailbox'?" in field[2]


def test_inline_messages_and_the_envelope_taken_from_the_message(tmp_path: Path) -> None:
    script = 'require ["envelope", "fileinto"];\n'
    script += 'if envelope :is "from" "carol@example.net" { fileinto "Carol"; }\n'
    script += 'if envelope :is "to" "bob+x@example.org" { fileinto "Plus"; }\n'
    path = write(
        tmp_path,
        """
        [[case]]
        name = "the sender comes from From, the recipient is given"
        message.inline = '''
        From: Carol <carol@example.net>
        To: bob@example.org
        Subject: hi

        hi
        '''
        envelope = {to = "bob+x@example.org"}
        expect.actions = [
          {type = "fileinto", mailbox = "Carol"},
          {type = "fileinto", mailbox = "Plus"},
        ]
        """,
        script,
    )
    assert outcome(path)[0][1]


def test_a_sequence_shares_the_host_and_expect_at_numbers_the_messages(tmp_path: Path) -> None:
    script = 'require "duplicate";\nif duplicate :seconds 60 { discard; }\n'
    path = write(
        tmp_path,
        """
        [settings]
        clock = 2026-11-28T12:00:00Z

        [[case]]
        name = "a copy within the minute is discarded, one after it is not"
        messages = ["offer.eml", {file = "offer.eml", wait = 30}, {file = "offer.eml", wait = 61}]
        expect_at.1 = {actions = [], implicit_keep = true}
        expect_at.2.actions = [{type = "discard"}]
        expect.actions = []

        [[case]]
        name = "each case starts with a fresh host"
        message = "offer.eml"
        expect.actions = []

        [[case]]
        name = "a failure names the message"
        message = "offer.eml"
        repeat = 3
        expect_at."2-3".actions = []
        """,
        script,
    )
    first, second, third = outcome(path)
    assert first[1] and second[1]
    assert not third[1] and third[2].startswith("message 2 of 3 (offer.eml): unexpected actions")


def test_expect_at_outside_the_sequence_is_a_problem_of_the_case(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[case]]
        message = "offer.eml"
        repeat = 2
        expect_at.3.actions = []
        """,
    )
    assert outcome(path)[0][2] == "expect_at.3: the case sends 2 messages"


def test_settings_clock_limits_and_case_overrides(tmp_path: Path) -> None:
    script = 'require ["date", "relational", "fileinto"];\n'
    script += 'if currentdate :value "ge" "hour" "18" { fileinto "Evening"; }\n'
    path = write(
        tmp_path,
        """
        [settings]
        clock = "2026-11-28T19:00:00Z"

        [[case]]
        name = "in the evening"
        message = "offer.eml"
        expect.actions = [{type = "fileinto", mailbox = "Evening"}]

        [[case]]
        name = "in the morning"
        message = "offer.eml"
        settings.clock = 2026-11-28T09:00:00Z
        expect.actions = []

        [[case]]
        name = "out of steps"
        message = "offer.eml"
        settings.limits = {max_steps = 1}
        expect.status = "limit"
        expect.implicit_keep = true
        """,
        script,
    )
    assert [passed for _, passed, _, _ in outcome(path)] == [True, True, True]


def test_compile_errors_are_expected_or_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [[case]]
        name = "the script is refused"
        expect.compile_errors = [{code = "unknown-command", line = 1}]

        [[case]]
        name = "a case that needed it to compile"
        message = "offer.eml"
        """,
        script="frobnicate;\n",
    )
    refused, needed = outcome(path)
    assert refused[1], refused
    assert not needed[1] and needed[2] == "filter.sieve does not compile"
    assert "filter.sieve:1:1:" in needed[3] and "[unknown-command]" in needed[3]


def test_a_hierarchy_says_which_script_decided(tmp_path: Path) -> None:
    (tmp_path / "user.sieve").write_text('require "fileinto";\n')
    (tmp_path / "system.sieve").write_text("discard;\n")
    (tmp_path / "offer.eml").write_text(OFFER)
    path = tmp_path / "h.sievetest.toml"
    path.write_text(
        textwrap.dedent(
            """
            [scripts]
            user = "user.sieve"
            system = "system.sieve"

            [[case]]
            name = "the system discards what the user left alone"
            message = "offer.eml"
            expect.decided_by = "system"
            expect.actions = [{type = "discard"}]
            """
        )
    )
    assert outcome(path) == [("the system discards what the user left alone", True, "", "")]


def test_mapping_tables_and_an_inline_throttle_table(tmp_path: Path) -> None:
    (tmp_path / "mappings").write_text(
        "FILTER_LIMIT\n\n  *  $[IMTA_LIB:check_metermaid.so,throttle,twice,$0]$Y\n"
    )
    script = '# the callout is a test\nrequire "reject";\nif limit "k" { reject "slow down"; }\n'
    path = write(
        tmp_path,
        """
        [settings]
        dialect = "oracle"
        mappings = "mappings"
        throttle = {tables = {twice = {quota = 2, quota_time = 3600}}}
        clock = 2026-11-28T12:00:00Z

        [[case]]
        name = "the third message in the hour is refused"
        message = "offer.eml"
        repeat = 3
        expect_at."1-2".actions = []
        expect.actions = [{type = "reject", reason = "slow down"}]
        """,
        script,
    )
    assert outcome(path)[0][1:3] == (True, "")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("script = [\n", "not valid TOML"),
        ('script = "filter.sieve"\n', "no cases: add a [[case]] table"),
        ('script = "f.sieve"\nscripts = {user = "u"}\n[[case]]\n', "not both"),
        ('script = "filter.sieve"\nsettings.dialect = "klingon"\n[[case]]\n', "settings.dialect"),
        ('script = "filter.sieve"\n[setings]\n[[case]]\n', "did you mean 'settings'?"),
    ],
)
def test_a_file_that_cannot_be_used_is_one_error(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "bad.sievetest.toml"
    path.write_text(content)
    result = run_file(path)
    assert problem in result.error and result.cases == [] and result.failed == 1


def test_a_message_that_is_not_a_file_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, '[[case]]\nmessage = "missing.eml"\n[[case]]\nmessage = "."\n')
    missing, folder = outcome(path)
    assert missing[2] == "case 'case 1': message: missing.eml: no such file"
    assert folder[2] == "case 'case 2': message: .: no such file"


def test_select_runs_only_the_chosen_cases(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[case]]\nname = "alpha"\nmessage = "offer.eml"\n'
        '[[case]]\nname = "beta"\nmessage = "offer.eml"\n'
        '[[case]]\nname = "beta"\nmessage = "offer.eml"\n',
    )
    assert [c.name for c in run_file(path, select=lambda name: "beta" in name).cases] == [
        "beta",
        "beta (2)",
    ]
    assert [c.name for c in load(path).cases] == ["alpha", "beta", "beta (2)"]


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["offer.eml", "filter.sieve", "1-2", "fileinto", "success", "oracle"]),
)
_KEYS = st.sampled_from(
    [
        "script", "scripts", "settings", "case", "name", "message", "messages", "repeat",
        "envelope", "expect", "expect_at", "actions", "contains", "type", "mailbox", "inline",
        "file", "wait", "clock", "limits", "max_steps", "status", "errors", "compile_errors",
        "implicit_keep", "user", "1", "1-2", "from", "reason_contains", "lists", "environment",
    ]
)  # fmt: skip
_VALUES = st.recursive(
    _SCALARS.filter(lambda v: v is not None),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(document=st.dictionaries(_KEYS, _VALUES, max_size=5))
def test_any_document_is_reported_never_raised(document: dict, tmp_path_factory) -> None:  # noqa: ANN001
    folder = tmp_path_factory.mktemp("hostile")
    write(folder, "")
    document.setdefault("case", [{"message": "offer.eml"}])
    try:
        test_file = from_document(document, folder / "t.sievetest.toml")
    except TestFileError as error:
        assert str(error)
        return
    for case in test_file.cases:
        result = test_file.run(case)
        assert result.passed or result.reason
        assert "error while running" not in result.reason, result.reason
