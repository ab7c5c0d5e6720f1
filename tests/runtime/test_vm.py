"""The VM's own rules: actions and the implicit keep, conflicts, duplicates, stop, variables,
include, limits and the never-raise promise, read as script + message → result."""

from __future__ import annotations

import threading

import pytest

import sieve
from sieve.runtime.host import MemoryHost

MESSAGE = (
    b"From: Alice Example <alice@example.com>\r\n"
    b"To: bob+lists@example.org, Carol <carol@example.net>\r\n"
    b"Subject: [sieve-users] Re: hello world\r\n"
    b"Message-ID: <1@example.com>\r\n"
    b"X-Spam-Score: 7.5\r\n"
    b"\r\n"
    b"Hello Bob,\r\nthis is the body.\r\n"
)
ENVELOPE = sieve.Envelope(mail_from="alice@example.com", rcpt_to="bob+lists@example.org")


def run(source: str, message: bytes = MESSAGE, **options: object) -> dict:
    script = sieve.compile(source)
    return script.run(message, ENVELOPE, **options).to_dict()  # type: ignore[arg-type]


def types(document: dict) -> list[str]:
    return [action["type"] for action in document["actions"]]


# The implicit keep (RFC 5228 §2.10.2).


def test_an_empty_script_keeps_the_message_implicitly() -> None:
    document = run("")
    assert document == {
        "status": "success",
        "actions": [],
        "implicit_keep": True,
        "implicit_keep_flags": [],
        "errors": [],
        "warnings": [],
    }


def test_fileinto_cancels_the_implicit_keep_and_copy_does_not() -> None:
    assert run('require "fileinto"; fileinto "Junk";')["implicit_keep"] is False
    document = run('require ["fileinto", "copy"]; fileinto :copy "Junk";')
    assert document["implicit_keep"] is True
    assert document["actions"] == [
        {"type": "fileinto", "mailbox": "Junk", "flags": [], "copy": True, "create": False}
    ]


def test_discard_and_redirect_cancel_the_keep() -> None:
    assert run("discard;")["implicit_keep"] is False
    document = run('redirect "dave@example.com";')
    assert document["actions"] == [
        {"type": "redirect", "address": "dave@example.com", "copy": False}
    ]
    assert document["implicit_keep"] is False


def test_header_tests_choose_the_branch() -> None:
    source = """require "fileinto";
if header :contains "subject" "[sieve-users]" { fileinto "Lists/sieve"; }
elsif address :domain "from" "example.com" { fileinto "Example"; }
else { discard; }"""
    assert run(source)["actions"][0]["mailbox"] == "Lists/sieve"
    other = MESSAGE.replace(b"[sieve-users] ", b"")
    assert run(source, other)["actions"][0]["mailbox"] == "Example"


def test_address_parts_and_subaddress() -> None:
    source = """require ["subaddress", "fileinto"];
if address :detail "to" "lists" { fileinto "by-detail"; }
if address :user "to" "bob" { fileinto "by-user"; }
if address :localpart "to" "carol" { fileinto "by-localpart"; }"""
    assert [a["mailbox"] for a in run(source)["actions"]] == [
        "by-detail",
        "by-user",
        "by-localpart",
    ]


def test_envelope_and_size() -> None:
    source = """require ["envelope", "fileinto"];
if envelope :domain "from" "example.com" { fileinto "env"; }
if size :under 1K { fileinto "small"; }
if size :over 1M { fileinto "huge"; }"""
    assert [a["mailbox"] for a in run(source)["actions"]] == ["env", "small"]


def test_the_null_sender_matches_the_empty_string() -> None:
    script = sieve.compile('require "envelope"; if envelope :all "from" "" { discard; }')
    result = script.run(MESSAGE, sieve.Envelope(mail_from="", rcpt_to="bob@example.org"))
    assert [a.type for a in result.actions] == ["discard"]


# Duplicates merge, conflicts fail (RFC 5228 §2.10.3, §4.2; RFC 5429).


def test_duplicate_actions_are_merged() -> None:
    source = 'require "fileinto"; fileinto "A"; fileinto "A"; keep; fileinto "INBOX";'
    assert run(source)["actions"] == [
        {"type": "fileinto", "mailbox": "A", "flags": [], "copy": False, "create": False},
        {"type": "keep", "mailbox": "INBOX", "flags": []},
    ]


def test_a_reject_that_conflicts_with_fileinto_fails_with_the_implicit_keep() -> None:
    document = run('require ["reject", "fileinto"];\nfileinto "X";\nreject "no";')
    assert document["status"] == "failed"
    assert document["actions"] == []
    assert document["implicit_keep"] is True
    assert document["errors"][0]["code"] == "action-conflict"
    assert document["errors"][0]["line"] == 3


def test_reject_and_discard_go_together() -> None:
    assert types(run('require "reject"; reject "no thanks"; discard;')) == ["reject", "discard"]


def test_five_redirects_exceed_the_default_limit() -> None:
    source = "\n".join(f'redirect "user{n}@example.com";' for n in range(5))
    document = run(source)
    assert document["status"] == "limit"
    assert document["implicit_keep"] is True
    assert document["actions"] == []
    assert document["errors"][0]["code"] == "max_redirects"
    assert document["errors"][0]["line"] == 5


def test_a_header_cut_at_max_header_bytes_is_reported_with_the_result() -> None:
    hidden = b"X-Pad: " + b"a" * 300 + b"\r\nX-Hidden: yes\r\n"  # 324 bytes
    padded = MESSAGE.replace(b"\r\n\r\n", b"\r\n" + hidden + b"\r\n")
    source = 'if exists "X-Hidden" { discard; }'
    cut = run(source, padded, limits=sieve.Limits(max_header_bytes=200))
    assert cut["status"] == "success" and types(cut) == []  # the field is out of sight
    [warning] = cut["warnings"]
    assert warning["code"] == "header-truncated" and "324 bytes" in warning["message"]
    whole = run(source, padded)
    assert types(whole) == ["discard"] and whole["warnings"] == []


def test_limits_can_be_raised_per_run() -> None:
    source = "\n".join(f'redirect "user{n}@example.com";' for n in range(5))
    script = sieve.compile(source)
    result = script.run(MESSAGE, ENVELOPE, limits=sieve.Limits(max_redirects=5))
    assert result.status == "success" and len(result.actions) == 5


def test_stop_ends_the_script() -> None:
    assert types(run("discard; stop; keep;")) == ["discard"]


# Variables (RFC 5229).


def test_set_modifiers_apply_in_precedence_order() -> None:
    source = """require ["variables", "fileinto"];
set :lower :upperfirst "name" "HELLO world";
set :length "size" "${name}";
fileinto "${name}-${size}";"""
    assert run(source)["actions"][0]["mailbox"] == "Hello world-11"


def test_matches_sets_the_match_variables() -> None:
    source = """require ["variables", "fileinto"];
if header :matches "subject" "[*] *" { fileinto "Lists/${1}"; }"""
    assert run(source)["actions"][0]["mailbox"] == "Lists/sieve-users"


def test_variable_names_are_case_insensitive_and_unknown_ones_are_empty() -> None:
    source = """require ["variables", "fileinto"];
set "Folder" "A"; fileinto "${folder}${nothing}";"""
    assert run(source)["actions"][0]["mailbox"] == "A"


def test_long_values_are_truncated_to_the_variable_size_limit() -> None:
    source = """require ["variables", "fileinto"];
set "a" "0123456789";
set "a" "${a}${a}${a}${a}${a}${a}${a}${a}${a}${a}";
set "a" "${a}${a}${a}${a}${a}${a}${a}${a}${a}${a}";
set "a" "${a}${a}${a}${a}${a}${a}${a}${a}${a}${a}";
set :length "n" "${a}";
fileinto "${n}";"""
    assert run(source)["actions"][0]["mailbox"] == "4000"


def test_string_test_and_relational_count() -> None:
    source = """require ["variables", "relational", "comparator-i;ascii-numeric", "fileinto"];
set "x" "abc";
if string :is "${x}" "ABC" { fileinto "casemap"; }
if header :count "ge" :comparator "i;ascii-numeric" "to" "1" { fileinto "counted"; }
if header :value "gt" :comparator "i;ascii-numeric" "x-spam-score" "5" { fileinto "spam"; }"""
    assert [a["mailbox"] for a in run(source)["actions"]] == ["casemap", "counted", "spam"]


def test_encoded_characters_are_decoded_before_expansion() -> None:
    source = """require ["encoded-character", "variables", "fileinto"];
set "name" "Ethelbert";
fileinto "dear${hex:20 24 7b 4e}ame}";"""
    assert run(source)["actions"][0]["mailbox"] == "dear Ethelbert"


# imap4flags (RFC 5232) on the implicit keep.


def test_flags_go_with_the_implicit_keep() -> None:
    document = run('require "imap4flags"; addflag "\\\\Seen"; addflag ["\\\\seen", "$Work"];')
    assert document["implicit_keep"] is True
    assert document["implicit_keep_flags"] == ["\\Seen", "$Work"]


def test_hasflag_and_removeflag() -> None:
    source = """require ["imap4flags", "fileinto"];
setflag ["A B", "C"]; removeflag "b";
if hasflag :is "c" { fileinto :flags "X" "Box"; }
if not hasflag "B" { fileinto "NoB"; }"""
    actions = run(source)["actions"]
    assert actions[0]["flags"] == ["X"]
    assert actions[1] == {
        "type": "fileinto",
        "mailbox": "NoB",
        "flags": ["A", "C"],
        "copy": False,
        "create": False,
    }


# include (RFC 6609).


def included(scripts: dict[str, str], source: str, **extra: object) -> dict:
    host = MemoryHost(scripts=scripts, **extra)  # type: ignore[arg-type]
    return sieve.compile(source).run(MESSAGE, ENVELOPE, host=host).to_dict()


def test_include_runs_the_other_script_with_shared_globals() -> None:
    scripts = {
        "lists": 'require ["include", "variables"]; global "box"; set "box" "Lists"; return;'
        " discard;"
    }
    source = """require ["include", "variables", "fileinto"];
global "box";
include "lists";
fileinto "${box}";"""
    document = included(scripts, source)
    assert document["status"] == "success"
    assert document["actions"] == [
        {"type": "fileinto", "mailbox": "Lists", "flags": [], "copy": False, "create": False}
    ]


def test_include_errors_and_options() -> None:
    assert included({}, 'require "include"; include :optional "missing";')["status"] == "success"
    missing = included({}, 'require "include"; include "missing";')
    assert missing["status"] == "failed"
    assert missing["errors"][0]["code"] == "include-missing"
    cycle = included({"a": 'require "include"; include "a";'}, 'require "include"; include "a";')
    assert cycle["errors"][0]["code"] == "include-cycle"
    once = included(
        {"d": "discard;"},
        'require "include"; include :once "d"; include :once "d";',
    )
    assert once["actions"] == [{"type": "discard"}]


def test_an_included_script_is_held_to_the_run_s_limits_and_capabilities() -> None:
    host = MemoryHost(scripts={"big": "discard;" + " " * 2000, "filer": 'require "fileinto";'})
    main = sieve.compile('require "include"; include "big";')
    small = main.run(MESSAGE, ENVELOPE, host=host, limits=sieve.Limits(max_script_size=1000))
    assert small.errors[0].code == "include-invalid" and small.actions == []
    assert "the limit is 1000" in small.errors[0].message
    assert main.run(MESSAGE, ENVELOPE, host=host).actions  # under the default limit: it runs
    offered = sieve.compile('require "include"; include "filer";', extensions=["include"])
    refused = offered.run(MESSAGE, ENVELOPE, host=host)
    assert refused.errors[0].code == "include-invalid"
    assert "'fileinto' is not enabled" in refused.errors[0].message
    assert (
        sieve.compile('require "include"; include "filer";')
        .run(MESSAGE, ENVELOPE, host=host)
        .status
        == "success"
    )


def test_stop_in_an_included_script_ends_everything() -> None:
    document = included({"s": "stop;"}, 'require "include"; include "s"; discard;')
    assert document["actions"] == [] and document["implicit_keep"] is True


def test_include_depth_is_limited() -> None:
    scripts = {f"s{n}": f'require "include"; include "s{n + 1}";' for n in range(20)}
    document = included(scripts, 'require "include"; include "s0";')
    assert document["status"] == "limit"
    assert document["errors"][0]["code"] == "max_include_depth"


def test_included_script_names_cannot_leave_the_script_folder(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "secret.sieve").write_text("discard;")
    folder = tmp_path / "scripts"
    folder.mkdir()
    (folder / "ok.sieve").write_text("discard;")
    host = MemoryHost(script_dir=folder)
    script = sieve.compile('require "include"; include "../secret";')
    assert script.run(MESSAGE, ENVELOPE, host=host).errors[0].code == "include-missing"
    good = sieve.compile('require "include"; include "ok";').run(MESSAGE, ENVELOPE, host=host)
    assert [a.type for a in good.actions] == ["discard"]


# Limits and faults end in the implicit keep; run() never raises.


def test_the_step_limit_stops_a_long_script() -> None:
    keys = ", ".join(f'"k{n}"' for n in range(500))
    source = "\n".join(f'if header :contains "subject" [{keys}] {{ keep; }}' for n in range(30))
    assert run(source)["status"] == "success"
    document = run(source, limits=sieve.Limits(max_steps=2_000))
    assert document["status"] == "limit"
    assert document["errors"][0]["code"] == "max_steps"
    assert document["implicit_keep"] is True


def test_a_variable_chain_ends_at_a_limit() -> None:
    lines = ['require "variables";', 'set "v0" "xxxxxxxxxxxxxxxx";']
    lines += [f'set "v{n + 1}" "${{v{n}}}${{v{n}}}";' for n in range(400)]
    document = run("\n".join(lines))
    assert document["status"] == "limit"
    assert document["errors"][0]["code"] in ("max_variables", "max_variable_memory")


def test_error_command_fails_the_run() -> None:
    document = run('require "ihave"; if ihave "nonexistent-ext" { stop; } error "gave up";')
    assert document["status"] == "failed"
    assert document["errors"][0]["message"] == "gave up"


def test_run_accepts_str_and_email_messages() -> None:
    import email

    script = sieve.compile('if header :contains "subject" "hello" { discard; }')
    assert script.run(MESSAGE.decode()).actions[0].type == "discard"
    parsed = email.message_from_bytes(MESSAGE)
    assert script.run(parsed).actions[0].type == "discard"


def test_misuse_of_the_api_raises_type_error() -> None:
    with pytest.raises(TypeError):
        sieve.compile("keep;").run(12345)  # type: ignore[arg-type]


def test_a_broken_message_is_still_processed() -> None:
    broken = b"Subject: \xff\xfe =?utf-8?B?!!!?=\r\nFrom: <<<\r\n\r\n\x00\x01"
    document = run('if header :contains "subject" "=?utf-8" { discard; }', broken)
    assert document["status"] == "success"
    assert types(document) == ["discard"]


def test_compiled_scripts_run_safely_from_several_threads() -> None:
    source = """require ["variables", "fileinto"];
if header :matches "subject" "*] *" { fileinto "${2}"; }"""
    script = sieve.compile(source)
    expected = script.run(MESSAGE, ENVELOPE).to_dict()
    results: list[dict] = []

    def work() -> None:
        for _ in range(50):
            results.append(script.run(MESSAGE, ENVELOPE).to_dict())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 200 and all(result == expected for result in results)


# Trace.


def test_trace_shows_tests_and_actions_with_lines() -> None:
    source = 'require "fileinto";\nif header :contains "subject" "hello" {\n  fileinto "A";\n}'
    result = sieve.compile(source).run(MESSAGE, ENVELOPE, trace=True)
    kinds = [(event.line, event.kind) for event in result.trace]
    assert (2, "test") in kinds and (3, "action") in kinds
    test_event = next(e for e in result.trace if e.kind == "test")
    assert "true" in test_event.text and "hello" in test_event.text


def test_a_costly_matches_pattern_ends_at_the_step_limit_before_it_runs() -> None:
    pattern = "a?" * 2000 + "b"
    message = b"Subject: " + b"a" * 100_000 + b"\r\n\r\nbody\r\n"
    document = run(f'if header :matches "subject" "{pattern}" {{ discard; }}', message)
    assert document["status"] == "limit"
    assert document["errors"][0]["code"] == "max_steps"


def test_a_pattern_of_many_stars_stays_linear() -> None:
    pattern = "*a" * 30 + "*b"
    message = b"Subject: " + b"a" * 50_000 + b"\r\n\r\nbody\r\n"
    document = run(f'if header :matches "subject" "{pattern}" {{ discard; }}', message)
    assert document["status"] == "success"
    assert document["actions"] == []


def test_a_catastrophic_regex_is_linear_with_re2() -> None:
    message = b"Subject: " + b"a" * 50_000 + b"!\r\n\r\nbody\r\n"
    document = run('require "regex"; if header :regex "subject" "^(a+)+$" { discard; }', message)
    assert document["status"] == "success"
    assert document["actions"] == []


def test_ten_thousand_redirects_stop_at_the_fifth() -> None:
    source = "\n".join(f'redirect "user{n}@example.com";' for n in range(10_000))
    result = sieve.compile(source).run(MESSAGE, ENVELOPE)
    assert result.status == "limit"
    assert result.errors[0].code == "max_redirects" and result.errors[0].line == 5
    assert result.steps < 10  # it stopped there, it did not walk the other 9,995
    assert result.implicit_keep and result.actions == []


def test_a_regex_allowed_by_one_run_is_not_reused_under_a_smaller_regex_memory() -> None:
    # Args (and their matcher cache) outlive a run: a regex compiled under the default
    # max_regex_memory must not slip past a later run's smaller limit.
    source = 'require "regex"; if header :regex "subject" "[a-z]{1000}" { discard; }'
    small = sieve.Limits(max_regex_memory=1 << 16)
    fresh = sieve.compile(source + " ")
    assert fresh.run(MESSAGE, ENVELOPE, limits=small).status == "failed"
    script = sieve.compile(source)
    assert script.run(MESSAGE, ENVELOPE).status == "success"
    result = script.run(MESSAGE, ENVELOPE, limits=small)
    assert result.status == "failed"
    assert result.errors[0].code == "bad-match"
    assert script.run(MESSAGE, ENVELOPE).status == "success"


def test_merge_duplicate_folds_copy_and_keeps_the_keep_over_fileinto_inbox() -> None:
    # One rule for Run.add and the testsuite's multiscript result (Suite._take).
    from sieve.runtime import actions as act

    actions: list[act.Action] = []
    index: dict = {}
    for action in (act.FileInto("Junk", copy=True), act.FileInto("INBOX", ["\\Seen"])):
        key = action.key()
        assert not act.merge_duplicate(actions, index, key, action)
        actions.append(action)
        index[key] = action
    junk = act.FileInto("Junk")
    assert act.merge_duplicate(actions, index, junk.key(), junk)
    keep = act.Keep(flags=["\\Flagged"])
    assert act.merge_duplicate(actions, index, keep.key(), keep)
    assert actions == [
        act.FileInto("Junk", copy=False),
        act.Keep(flags=["\\Flagged", "\\Seen"]),
    ]
    assert index[keep.key()] is keep


def test_the_testsuite_merges_the_scripts_actions_as_one_run(tmp_path) -> None:  # noqa: ANN001
    # a.sieve `fileinto :copy "Junk"`, b.sieve `fileinto "Junk"`: stored in Junk only.
    import io
    from types import SimpleNamespace

    from sieve.runtime import actions as act
    from sieve.testing.svtest_suite import Suite

    suite = Suite(tmp_path, io.StringIO())
    done = SimpleNamespace(message=None)
    suite._take([act.FileInto("Junk", copy=True)], done)  # type: ignore[arg-type]
    suite._take([act.FileInto("Junk"), act.FileInto("inbox")], done)  # type: ignore[arg-type]
    suite._take([act.Keep()], done)  # type: ignore[arg-type]
    assert suite.actions == [act.FileInto("Junk"), act.Keep()]
    assert suite.actions[0].cancels_keep
