"""Lookups: patterns feature by feature, each template flag, routine callouts, the loop
guard, and the two tables of the Messaging Server guide as a Sieve script uses them."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sieve.mapping import Routines, Table, load_mappings, lookup, parse_mappings
from sieve.mapping.patterns import PatternError, compile_pattern, match

ORACLE = Path(__file__).resolve().parents[2] / "corpus" / "oracle"


def table(*entries: str) -> Table:
    """A table from `pattern  template` lines."""
    found = parse_mappings("T\n" + "".join(f"  {e}\n" for e in entries), strict=False).table("T")
    assert found is not None
    return found


def run(value: str, *entries: str, routines: Routines | None = None, **limits: int):
    return lookup(table(*entries), value, routines or Routines(), **limits)


def out(value: str, *entries: str, routines: Routines | None = None) -> str | None:
    """The output, or None when nothing was found."""
    result = run(value, *entries, routines=routines)
    return result.output if result.found else None


# Patterns, one feature at a time.


def test_patterns_compare_case_blind_and_must_match_the_whole_input() -> None:
    assert out("Postmaster@EXAMPLE.com", "postmaster@example.COM  yes") == "yes"
    assert out("postmaster@example.com.evil", "postmaster@example.com  yes") is None


def test_star_matches_any_string_greedily_and_percent_one_character() -> None:
    assert out("a.b.c", "*.*  $0|$1") == "a.b|c"
    assert out("abc", "a%c  $0") == "b"
    assert out("ac", "a%c  $0") is None
    assert out("", "*  [$0]") == "[]"


def test_wildcards_number_from_zero_left_to_right() -> None:
    assert out("user@host.example", "*@*.%xample  $2-$1-$0") == "e-host-user"


def test_a_substitution_past_the_last_wildcard_is_empty() -> None:
    result = run("abc", "*  <$0$5>")
    assert result.output == "<abc>"
    assert any("$5" in line for line in result.trace)


def test_dollar_quotes_star_percent_space_and_itself() -> None:
    assert out("a*b", "a$*b  yes") == "yes"
    assert out("axb", "a$*b  yes") is None
    assert out("100%", "100$%  yes") == "yes"
    assert out("1000", "100$%  yes") is None
    assert out("a b", "a$ b  [$ ]") == "[ ]"
    assert out("$5", "$$5  $$") == "$"


def test_glob_classes() -> None:
    assert out("abc123", "$A*$D*  $0/$1") == "abc/123"
    assert out("ABC", "$A*  $0") == "ABC"  # classes are case-blind too
    assert out("x7", "x$D%  $0") == "7"
    assert out("xy", "x$D%  $0") is None
    assert out("0110", "$B*  $0") == "0110"
    assert out("0120", "$B*  $0") is None
    assert out("DeadBeef", "$H*  $0") == "DeadBeef"
    assert out("DeadBeefZ", "$X*  $0") is None
    assert out("0755", "$O*  $0") == "0755"
    assert out("0785", "$O*  $0") is None
    assert out("my_var$1", "$S*  $0") == "my_var$1"
    assert out("a \tb", "a$T*b  [$0]") == "[ \t]"


def test_bracket_classes_with_ranges() -> None:
    assert out("cabbage", "$[abc]*ge  $0") == "cabba"
    assert out("Q-7", "$[p-r]%-$[0-9]%  $0$1") == "Q7"
    assert out("s-7", "$[p-r]%-$[0-9]%  $0$1") is None


def test_lazy_and_unsaved_modifiers() -> None:
    assert out("a|b|c", "*|*  $0") == "a|b"  # greedy by default
    assert out("a|b|c", "$_*|*  $0") == "a"
    assert out("a|b|c", "$@*|*  $0") == "c"  # the first wildcard is not saved
    assert out("a|b|c", "$@*|$^*  $0") == "c"


def test_malformed_patterns_are_reported_and_never_match() -> None:
    for bad in ("a$", "$[abc", "$D", "$Q*", "$1*", "$[z-a]*", "a$_"):
        with pytest.raises(PatternError):
            compile_pattern(bad)
    result = run("a", "$Q*  bad", "*  good")
    assert result.output == "good"
    assert "unusable" in result.trace[1]


def test_matching_is_polynomial_on_hostile_patterns() -> None:
    hostile = compile_pattern("*a" * 40 + "b")
    start = time.perf_counter()
    assert match(hostile, "a" * 20_000) is None
    assert match(compile_pattern("*a" * 40), "a" * 20_000) is not None
    assert time.perf_counter() - start < 1.0


def _reference(pattern: str, value: str) -> tuple[str, ...] | None:
    """The same pattern as a backtracking regular expression (fine on tiny inputs)."""
    tokens = re.findall(r"\$_\*|[*%]|.", pattern)
    rx = "".join({"$_*": "(.*?)", "*": "(.*)", "%": "(.)"}.get(t, re.escape(t)) for t in tokens)
    found = re.fullmatch(rx, value, re.IGNORECASE | re.DOTALL)
    return found.groups() if found else None


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "*", "%", "$_*"]), max_size=7).map("".join),
    st.text(alphabet="abAB", max_size=8),
)
def test_captures_are_those_a_backtracking_matcher_finds(pattern: str, value: str) -> None:
    assert match(compile_pattern(pattern), value) == _reference(pattern, value)


# Template flags.


def test_without_a_flag_the_first_match_ends_the_mapping() -> None:
    result = run("abc", "a*  first", "*  second")
    assert (result.found, result.output, result.flags) == (True, "first", frozenset())
    assert not result.success  # found, but nobody said $Y


def test_y_means_success_and_n_failure() -> None:
    yes = run("ok", "ok  fine$Y", "*  $N")
    assert (yes.success, yes.output, yes.flags) == (True, "fine", frozenset({"Y"}))
    no = run("bad", "ok  fine$Y", "*  $N")
    assert (no.found, no.success, no.output) == (True, False, "")


def test_the_later_of_y_and_n_wins() -> None:
    assert run("x", "*  $Y$N").flags == frozenset({"N"})
    assert run("x", "*  $N$Y").success


def test_c_continues_with_the_next_entry_using_this_output() -> None:
    result = run("a", "a  b$C", "a  wrong", "b  c")
    assert result.output == "c"
    assert run("a", "a  b", "b  c").output == "b"  # without $C the mapping ends at once


def test_c_that_matches_nothing_later_keeps_its_output() -> None:
    result = run("a", "a  b$C$Y", "z  never")
    assert (result.found, result.output, result.success) == (True, "b", True)


def test_e_ends_the_mapping_and_overrides_an_earlier_c() -> None:
    assert run("a", "a  b$C$E", "b  c").output == "b"
    assert run("a", "a  b$E$C", "b  c").output == "c"  # the last control flag decides


def test_r_restarts_from_the_top_with_this_output() -> None:
    result = run("xxxxhello", "hello  done$Y", "x*  $0$R")
    assert (result.output, result.success) == ("done", True)
    assert sum("$R: new pass" in line for line in result.trace) == 4


def test_l_makes_one_more_pass_when_nothing_later_matches() -> None:
    entries = ("b  c", "a  b$L")
    assert run("a", *entries).output == "c"
    assert run("a", "b  c", "a  b$C").output == "b"  # $C makes no extra pass


def test_a_later_c_cancels_the_extra_pass_of_l() -> None:
    assert run("a", "c  d", "a  b$L", "b  c$C").output == "c"
    assert run("a", "c  d", "a  b$L", "b  c$L").output == "d"


def test_the_loop_guard_stops_restarts_that_do_not_shrink_the_input() -> None:
    result = run("a", "*  $0x$R")
    # The first pass and then ten restarts that each grow the input; the 11th is refused.
    assert result.output == "a" + "x" * 11
    assert result.found
    assert any(line.startswith("loop guard") for line in result.trace)
    assert run("a", "*  $0x$R", max_passes=2).output == "axxx"


def test_restarts_that_shrink_the_input_are_not_limited_by_the_guard() -> None:
    result = run("x" * 30 + "y", "x*  $0$R")
    assert result.output == "y"
    assert not any("loop guard" in line for line in result.trace)


def test_the_step_budget_bounds_every_lookup() -> None:
    entries = ["z  never"] * 50 + ["*  $0$C"] * 50
    result = run("a", *entries, max_steps=30)
    assert (result.found, result.limited, result.output) == (False, True, "")
    assert "step limit" in result.trace[-1]
    big = run("a" * 2_000_000, "*a*a*a*b  x", max_steps=100)
    assert big.limited and not big.found


# Routine callouts.


def routines(**named) -> Routines:
    found = Routines()
    for name, routine in named.items():
        found.register(name, routine)
    return found


def test_a_routine_result_replaces_the_callout() -> None:
    calls: list[list[str]] = []

    def upper(args: list[str]) -> str:
        calls.append(args)
        return args[0].upper()

    result = run("a@b|c", "*|*  [$[/lib/x.so,UPPER,$1]]$Y", routines=routines(upper=upper))
    assert (result.output, result.success) == ("[C]", True)
    assert calls == [["c"]]


def test_arguments_split_on_commas_before_substitution() -> None:
    calls: list[list[str]] = []
    found = routines(check=lambda args: calls.append(args) or "")
    run("1.2.3.4|a,b@x|c", "*|*|*  $[lib,check,ip,,$0,$1,$2,]$Y", routines=found)
    # A captured comma stays inside its argument; empty arguments are kept.
    assert calls == [["ip", "", "1.2.3.4", "a,b@x", "c", ""]]


def test_a_failing_routine_fails_its_entry_and_ends_the_mapping() -> None:
    result = run("a", "*  $[lib,no,$0]$Y", "*  later$Y", routines=routines(no=lambda a: None))
    assert (result.found, result.output, result.flags) == (False, "", frozenset())
    assert any("routine 'no' failed" in line for line in result.trace)


def test_a_flag_before_a_failing_routine_is_seen_and_one_after_is_not() -> None:
    fails = routines(no=lambda args: None)
    before = run("a", "*  $C$[lib,no,]x", "*  [$0]$Y", routines=fails)
    assert (before.output, before.success) == ("[a]", True)  # original input goes on
    after = run("a", "*  $[lib,no,]x$C", "*  [$0]$Y", routines=fails)
    assert not after.found


def test_an_unknown_routine_fails_the_entry_and_the_trace_says_why() -> None:
    result = run("a", "*  $[lib,missing,$0]$Y")
    assert not result.found
    assert any("'missing'" in line and "unknown routine" in line for line in result.trace)


def test_a_routine_that_raises_fails_its_entry_without_propagating() -> None:
    def broken(args: list[str]) -> str:
        raise RuntimeError("boom")

    result = run("a", "*  $C$[lib,broken,]$Y", "*  safe$Y", routines=routines(broken=broken))
    assert (result.output, result.success) == ("safe", True)
    assert any("raised RuntimeError" in line for line in result.trace)


def test_routine_names_compare_case_insensitively() -> None:
    assert run("a", "*  $[lib,Echo,$0]$Y", routines=routines(ECHO=lambda a: a[0])).success


def test_the_guides_brace_spelling_is_the_same_callout() -> None:
    found = routines(echo=lambda args: "<" + args[0] + ">")
    result = run("a", "*  ${IMTA_LIB:lib.so,echo,$0}$Y", routines=found)
    assert (result.output, result.success) == ("<a>", True)


def test_an_unsupported_substitution_fails_its_entry() -> None:
    result = run("a", "*  $C$#seq#$Y", "*  fallback")
    assert result.output == "fallback"


def test_case_metacharacters_change_what_follows() -> None:
    assert out("MiXed@Example.COM", "*@*  $\\$0@$^$1$_-Kept") == "mixed@EXAMPLE.COM-Kept"
    # Literal text is changed as well as substitutions; `$$` is still a quoted dollar.
    assert out("x", "*  $^ab$$c$0") == "AB$CX"


NESTED = """\
OUTER
  *|*  $C$|DOMAINS;$1|$Y$E
  *  not-local

DOMAINS
  *.com  local-$\\$0.COM$Y
  *  $N

LOOP
  *  $|LOOP;$0|$Y
"""


def nested(value: str, table_name: str = "OUTER", **limits: int):
    mappings = parse_mappings(NESTED, strict=False)
    found = mappings.table(table_name)
    assert found is not None
    return lookup(found, value, Routines(), tables=mappings.table, **limits)


def test_a_nested_table_lookup_substitutes_the_other_tables_answer() -> None:
    result = nested("ann|Example.com")
    assert (result.output, result.success) == ("local-example.com", True)
    assert any(line.startswith("DOMAINS: input") for line in result.trace)


def test_a_nested_lookup_without_y_fails_the_entry() -> None:
    # DOMAINS answers $N: the entry fails, and the $C before it lets the next one match.
    assert nested("ann|elsewhere.org").output == "not-local"


def test_a_table_that_calls_itself_stops_at_the_nesting_bound() -> None:
    result = nested("x", "LOOP")
    assert not result.found and not result.limited
    assert any("nest deeper" in line for line in result.trace)


def test_nested_lookups_share_the_step_budget() -> None:
    assert nested("x", "LOOP", max_steps=3).limited


def test_a_nested_table_the_file_lacks_is_reported_and_fails_the_entry() -> None:
    mappings = parse_mappings("T\n  *  $|MISSING;$0|$Y\n", strict=False)
    [warning] = [d for d in mappings.diagnostics if "MISSING" in d.message]
    assert warning.severity == "warning" and warning.line == 2
    found = mappings.table("T")
    assert found is not None
    assert not lookup(found, "a", Routines(), tables=mappings.table).found


def test_outputs_are_bounded() -> None:
    result = run("a" * 100, "*  $0$0$0$0$0$0$0$0$0$0$R", max_length=5_000)
    assert len(result.output) <= 5_000


# The two tables from the guide, with fake routines.


@pytest.fixture(scope="module")
def guide():
    return load_mappings(ORACLE / "mappings")


def throttle(over_quota: bool):
    """metermaid's throttle: succeeds ("" output) when the sender is over its quota."""
    return routines(throttle=lambda args: "" if over_quota else None)


def test_limitauthspam_succeeds_for_a_sender_over_quota(guide) -> None:
    table = guide.table("FILTER_limitauthspam")
    result = lookup(table, "u@example.com|x@example.net", throttle(True))
    # `$0` is the first wildcard of `*|*`, the sender: the template outputs it, and the
    # script's `set "RESULT" "${0}"` reads it.
    assert (result.found, result.success, result.output) == (True, True, "u@example.com")


def test_limitauthspam_finds_nothing_for_a_sender_under_quota(guide) -> None:
    table = guide.table("FILTER_limitauthspam")
    result = lookup(table, "u@example.com|x@example.net", throttle(False))
    assert (result.found, result.success, result.output) == (False, False, "")


def test_limitauthspam_never_limits_mail_to_abuse(guide) -> None:
    table = guide.table("FILTER_limitauthspam")
    result = lookup(table, "u@example.com|abuse@example.net", throttle(True))
    assert (result.found, result.success) == (True, False)
    assert result.flags == frozenset({"N", "E"})


def gross(verdict: str | None) -> Routines:
    return routines(grosscheck=lambda args: verdict)


def test_greylist_output_is_non_empty_only_when_gross_greylists(guide) -> None:
    """The script does `set "RESULT" greylst("ip|from|to")` and erejects when RESULT is
    not empty, so the table must answer "" for mail to accept, and text for mail to defer.

    The first entry writes `$C` before the routine and `$Y$E` after it. When grosscheck
    succeeds (it returns its "try later" text), the template completes: `$E`, the last
    control flag, ends the mapping with that text and `$Y` - RESULT is non-empty, the
    message is deferred. When grosscheck fails (the triplet is known), the entry fails;
    only `$C` was seen, so the mapping goes on with the input unchanged to `*  $Y`, whose
    template writes no text - success with "" and the message is accepted."""
    table = guide.table("FILTER_GREYLIST")
    deferred = lookup(table, "192.0.2.1|a@example.com|uwc", gross("451 try later"))
    assert (deferred.success, deferred.output) == (True, "451 try later")
    assert deferred.flags == frozenset({"C", "Y", "E"})
    accepted = lookup(table, "192.0.2.1|a@example.com|uwc", gross(None))
    assert (accepted.success, accepted.output) == (True, "")


def test_greylist_passes_the_triplet_to_gross(guide) -> None:
    seen: list[list[str]] = []
    found = routines(grosscheck=lambda args: seen.append(args) and None)
    lookup(guide.table("FILTER_GREYLIST"), "192.0.2.1|a@example.com|uwc", found)
    assert seen == [["127.0.0.1", "", "5525", "192.0.2.1", "a@example.com", "uwc", ""]]


def test_the_verbatim_greylist_never_defers_because_syse_is_text() -> None:
    verbatim = load_mappings(ORACLE / "mappings-verbatim", strict=False)
    result = lookup(verbatim.table("FILTER_GREYLIST"), "1.2.3.4|a@b|c", gross("try later"))
    # "SYSE" sets no flag, so `$C` carries "try laterSYSE" on to `*  $Y`: success, "".
    assert (result.success, result.output) == (True, "")


def test_the_verbatim_brace_callout_still_throttles() -> None:
    verbatim = load_mappings(ORACLE / "mappings-verbatim", strict=False)
    table = verbatim.table("FILTER_LIMITAUTHSPAM")
    assert lookup(table, "u@example.com|x@example.net", throttle(True)).success


# Nothing a table or a value holds makes a lookup raise.

_PIECES = ["*", "%", "$", "$*", "$_", "$@", "$D*", "$[a-c]*", "a", "|", "B", " ", "é"]
_TEMPLATE = ["$0", "$1", "$9", "$C", "$E", "$L", "$R", "$Y", "$N", "x", "$", "$[l,r,$0]"]
_TEMPLATE += ["${l,r}", "$|t;a|", "$Q", "$[", "]", ","]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_PIECES), max_size=6).map("".join),
            st.lists(st.sampled_from(_TEMPLATE), max_size=6).map("".join),
        ),
        min_size=1,
        max_size=4,
    ),
    st.text(max_size=30),
)
def test_lookup_never_raises(entries: list[tuple[str, str]], value: str) -> None:
    from sieve.mapping import Entry

    rows = tuple(Entry(p, t, "f", n) for n, (p, t) in enumerate(entries, 1))
    found = routines(r=lambda args: "".join(args)[:5] or None)
    result = lookup(Table("T", rows), value, found, max_steps=2_000)
    assert isinstance(result.output, str) and len(result.output) <= 65_536  # max_length
    if not result.found:  # no answer: no output and no flags, so never a callout success
        assert (result.output, result.flags, result.success) == ("", frozenset(), False)
    assert not (result.limited and result.found)  # an abandoned lookup found nothing
    assert result.trace  # every lookup says what it did, for --trace
    # Deterministic: the same table, value and routines give the same answer.
    assert lookup(Table("T", rows), value, found, max_steps=2_000) == result


def test_a_sieve_callout_reaches_nested_tables_through_the_mapping_host() -> None:
    import sieve
    from sieve.mapping.host import MappingHost

    mappings = parse_mappings(
        "FILTER_LOCAL\n  *@*  $|DOMAINS;$1|$Y\n\nDOMAINS\n  *.com  $\\$0$Y\n  *  $N\n",
        strict=False,
    )
    host = MappingHost(mappings=mappings)

    def filed(address: str) -> list[str]:
        script = sieve.compile(
            'require ["variables", "fileinto"];\n'
            f'set "from" "{address}";\n'
            'if local "${from}" { fileinto "${0}"; }',
            dialect="oracle",
        )
        result = script.run(b"Subject: x\r\n\r\nbody\r\n", host=host)
        assert result.status == "success"
        return [action.mailbox for action in result.actions]

    assert filed("ann@Example.com") == ["example"]
    assert filed("ann@example.org") == []  # DOMAINS answers $N: the callout is false
