"""The control-flow graph: worst-case bounds of scripts whose worst case is known, paths,
reachability, and the data-flow analyses the amplification and loop rules use."""

from __future__ import annotations

import inspect
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sieve.check.checker import Checker
from sieve.extensions.registry import Registry
from sieve.lint import LintConfig, all_rules, lint
from sieve.lint.analyses import SeenOnEveryPath
from sieve.lint.flow import ControlFlow
from sieve.lint.reading import facts_of
from sieve.syntax import parse
from sieve.syntax.ast import Command, Script

REQUIRE = (
    'require ["enotify", "foreverypart", "mime", "vacation", "reject", "fileinto",'
    ' "variables", "envelope", "include", "extlists", "editheader", "relational"];\n'
)

# The rules built on the control flow.
FLOW_RULES = [
    "amplification-bound",
    "notify-in-foreverypart",
    "content-derived-target",
    "redirect-to-sender",
    "redirect-without-loop-protection",
    "vacation-answers-lists",
    "vacation-without-period",
    "reject-backscatter",
    "personal-spam-blocking",
]


def checked(source: str, dialect: str = "standard") -> Script:
    parsed = parse(source, dialect=dialect)
    assert parsed.ok and parsed.script is not None, parsed.diagnostics
    checker = Checker(Registry.shared(None, dialect), dialect)
    checker.script(parsed.script)
    assert not [d for d in checker.diagnostics if d.is_error], checker.diagnostics
    return parsed.script


def flow_of(body: str, parts: int = 5, resolve=None) -> ControlFlow:
    script = checked(REQUIRE + body)
    return ControlFlow(
        script, Registry.shared(None, "standard"), mime_part_limit=parts, resolve_include=resolve
    )


def commands(script: Script) -> list[Command]:
    found: list[Command] = []
    pending = list(reversed(script.commands))
    while pending:
        command = pending.pop()
        found.append(command)
        if command.block is not None:
            pending.extend(reversed(command.block.commands))
    return found


def named(flow: ControlFlow, name: str) -> list[Command]:
    return [c for c in commands(flow.script) if c.name == name]


# Bounds of scripts with a known worst case.


def test_three_notifies_in_a_loop_of_five_parts_make_fifteen() -> None:
    flow = flow_of(
        'foreverypart { notify "mailto:a@x.example"; notify "mailto:b@x.example";'
        ' notify "mailto:c@x.example"; }'
    )
    bound = flow.bound()
    assert bound.notifications == 15
    assert [(s.command.name, s.times) for s in bound.worst["notifications"][-3:]] == [
        ("notify", 5)
    ] * 3


def test_nested_loops_multiply() -> None:
    flow = flow_of(
        'notify "mailto:first@x.example";'
        ' foreverypart { foreverypart { notify "mailto:a@x.example"; } }',
        parts=4,
    )
    assert flow.bound().notifications == 1 + 4 * 4


def test_branches_take_the_max_not_the_sum() -> None:
    flow = flow_of(
        'if true { redirect "a@x.example"; redirect "b@x.example"; }'
        ' elsif false { redirect "c@x.example"; }'
        ' else { redirect "d@x.example"; redirect "e@x.example"; redirect "f@x.example"; }'
    )
    bound = flow.bound()
    assert bound.redirects == 3
    assert [c.name for c in bound.path if c.name == "redirect"] == ["redirect"] * 3


def test_stop_ends_a_path() -> None:
    flow = flow_of(
        'if true { notify "mailto:a@x.example"; notify "mailto:b@x.example"; stop; }'
        ' notify "mailto:c@x.example";'
    )
    assert flow.bound().notifications == 2


def test_a_loop_that_always_breaks_runs_once() -> None:
    flow = flow_of('foreverypart { notify "mailto:a@x.example"; break; }')
    assert flow.bound().notifications == 1


def test_a_conditional_break_still_allows_every_iteration() -> None:
    flow = flow_of(
        'foreverypart { notify "mailto:a@x.example";'
        ' if header :mime :type "Content-Type" "image" { break; } }'
    )
    assert flow.bound().notifications == 5


def test_a_named_break_leaves_the_outer_loop() -> None:
    flow = flow_of(
        'foreverypart :name "outer" { foreverypart { notify "mailto:a@x.example";'
        ' break :name "outer"; } }'
    )
    # The inner body runs once and leaves both loops: one notification per message.
    assert flow.bound().notifications == 1


def test_stop_inside_a_loop_ends_after_the_last_iteration() -> None:
    flow = flow_of(
        'foreverypart { notify "mailto:a@x.example";'
        ' if header :mime :type "Content-Type" "image" { notify "mailto:b@x.example"; stop; } }'
        ' notify "mailto:c@x.example";'
    )
    # Four full iterations, then the fifth takes the stop: 4 + 2 = 6; or five full + 1 = 6.
    assert flow.bound().notifications == 6


def test_outgoing_counts_every_kind_on_one_path() -> None:
    flow = flow_of(
        'redirect "a@x.example"; vacation :days 1 "away"; if true { reject "no"; }'
        ' notify "mailto:b@x.example";'
    )
    bound = flow.bound()
    assert (bound.redirects, bound.vacations, bound.rejects, bound.notifications) == (1, 1, 1, 1)
    assert bound.total == 4


def test_identical_actions_count_once_however_often_a_loop_runs_them() -> None:
    flow = flow_of('foreverypart { fileinto "Parts"; addheader "X-Part" "seen"; fileinto "${0}"; }')
    # fileinto "Parts" merges (RFC 5228 §2.10.3); each addheader and fileinto "${0}" may not.
    assert flow.bound().actions == 1 + 5 + 5


def test_included_scripts_are_counted_when_resolved() -> None:
    helper = checked(
        'require ["enotify", "include"]; notify "mailto:a@x.example"; return;'
        ' notify "mailto:never@x.example";'
    )
    seen: list[tuple[str, bool]] = []

    def resolve(name: str, global_: bool) -> Script | None:
        seen.append((name, global_))
        return helper if name == "helper" else None

    flow = flow_of(
        'foreverypart { include "helper"; } include :global "missing";'
        ' notify "mailto:b@x.example";',
        resolve=resolve,
    )
    bound = flow.bound()
    # return ends only the included script; what follows it in there never runs.
    assert bound.notifications == 5 + 1
    assert [c.name for c in bound.unknown] == ["include"]
    assert ("missing", True) in seen


def test_an_included_stop_ends_the_whole_run() -> None:
    helper = checked('require "enotify"; notify "mailto:a@x.example"; stop;')
    flow = flow_of('include "helper"; notify "mailto:b@x.example";', resolve=lambda n, g: helper)
    assert flow.bound().notifications == 1


def test_a_script_including_itself_does_not_recurse() -> None:
    looping = checked('require ["include", "enotify"]; notify "mailto:a@x.example"; include "me";')
    flow = ControlFlow(
        looping,
        Registry.shared(None, "standard"),
        mime_part_limit=5,
        resolve_include=lambda name, global_: looping,
    )
    assert flow.bound().notifications >= 1


def test_redirect_to_an_external_list_is_counted_once_and_marked_unknown() -> None:
    flow = flow_of('redirect :list "tag:example.com,2024:family";')
    bound = flow.bound()
    assert bound.redirects == 1
    assert [c.name for c in bound.unknown] == ["redirect"]


def test_oracle_alias_counts_as_what_it_means() -> None:
    script = checked('require ["ereject"]; erejec "go away";', dialect="oracle")
    flow = ControlFlow(script, Registry.shared(None, "oracle"), mime_part_limit=5)
    assert flow.bound().rejects == 1


def test_mime_part_limit_zero_means_loops_never_run() -> None:
    flow = flow_of('foreverypart { notify "mailto:a@x.example"; }', parts=0)
    assert flow.bound().notifications == 0


# Paths and reachability.


def test_paths_take_each_branch_and_end_at_stop() -> None:
    flow = flow_of(
        'if true { keep; stop; } elsif false { discard; } fileinto "A";'
        ' foreverypart { fileinto "B"; }'
    )
    found = [([c.name for c in p.commands[1:]], p.end) for p in flow.paths()]
    assert found == [
        (["if", "keep", "stop"], "stop"),
        (["elsif", "discard", "fileinto", "foreverypart", "fileinto"], "end"),
        (["elsif", "discard", "fileinto", "foreverypart"], "end"),
        (["fileinto", "foreverypart", "fileinto"], "end"),
        (["fileinto", "foreverypart"], "end"),
    ]


def test_paths_stop_at_the_limit() -> None:
    flow = flow_of("if true { keep; }\n" * 20)  # a million paths
    assert len(list(flow.paths(limit=50))) == 50


def test_code_after_stop_is_unreachable() -> None:
    flow = flow_of(
        "foreverypart { break; keep; } if true { stop; discard; } else { stop; }"
        ' fileinto "Never"; foreverypart { keep; }'
    )
    # One report per dead run; the loop after the stop is dead as a whole, its body too.
    after = [c.name for c in flow.after_stop()]
    assert after == ["keep", "discard", "fileinto"]
    assert not flow.reachable(named(flow, "fileinto")[0])
    assert not flow.reachable(named(flow, "foreverypart")[1])
    assert flow.reachable(named(flow, "foreverypart")[0])
    assert [c.name for c in flow.unreachable()] == [
        "keep",
        "discard",
        "fileinto",
        "foreverypart",
        "keep",
    ]


def test_loops_around_a_command() -> None:
    flow = flow_of('foreverypart { foreverypart { notify "mailto:a@x.example"; } }', parts=3)
    notify = named(flow, "notify")[0]
    assert [c.name for c in flow.loops_around(notify)] == ["foreverypart"] * 2
    assert flow.fan_out(notify) == 9


# Data flow.


def origins_before(flow: ControlFlow, command: Command) -> dict[str, set[str]]:
    state = flow.value_origins().before(command)
    assert state is not None
    found: dict[str, set[str]] = {}
    for variable, origin in state:
        found.setdefault(variable, set()).add(origin)
    return found


def test_origins_follow_set_and_match_variables() -> None:
    flow = flow_of(
        'if header :matches "From" "*" { set "from" "${1}"; }\n'
        'set "copy" "<${from}>";\n'
        'set :length "size" "${from}";\n'
        'if envelope :matches "to" "*" { set :encodeurl "me" "${1}"; }\n'
        'redirect "x@example.com";\n'
    )
    origins = origins_before(flow, named(flow, "redirect")[0])
    assert origins["from"] == {"header:from"}
    assert origins["copy"] == {"header:from"}
    assert "size" not in origins  # a length says nothing an attacker could aim
    assert origins["me"] == {"envelope:to+url"}


def test_a_successful_match_replaces_the_match_variables() -> None:
    flow = flow_of(
        'if header :matches "Subject" "*" { keep; }\n'
        'if envelope :matches "to" "*" { set "me" "${1}"; }\n'
    )
    origins = origins_before(flow, named(flow, "set")[0])
    assert origins["1"] == {"envelope:to"}
    assert origins_before(flow, named(flow, "keep")[0])["1"] == {"header:subject"}


def test_a_constant_clears_origins_on_every_path_but_not_on_some() -> None:
    flow = flow_of(
        'if header :matches "X-To" "*" { set "to" "${1}"; }\n'
        'if true { set "to" "fixed@example.com"; }\n'
        'redirect "${to}";\n'
    )
    assert origins_before(flow, named(flow, "redirect")[0])["to"] == {"header:x-to"}


def test_origins_reach_around_a_loop() -> None:
    # Each iteration moves the value one variable along: the loop is iterated until settled.
    flow = flow_of(
        'foreverypart { set "c" "${b}"; set "b" "${a}";'
        ' if header :mime :matches "Content-Type" "*" { set "a" "${1}"; } }\n'
        'redirect "${c}";\n'
    )
    assert origins_before(flow, named(flow, "redirect")[0])["c"] == {"header:content-type"}


def test_tested_on_every_path_is_a_must_analysis() -> None:
    flow = flow_of(
        'if exists "List-Id" { stop; }\n'
        'if true { if exists "X-Loop" { keep; } }\n'
        'vacation :days 1 "away";\n'
    )
    facts = flow.tested().before(named(flow, "vacation")[0])
    assert facts is not None
    assert "list-id" in facts
    assert "x-loop" not in facts


def test_forward_with_a_custom_analysis() -> None:
    registry = Registry.shared(None, "standard")
    flow = flow_of('if header :count "gt" "Received" "20" { stop; } redirect "a@x.example";')
    facts = flow.forward(SeenOnEveryPath(lambda t: facts_of(t, registry)))
    assert "count:received" in facts.before(named(flow, "redirect")[0])


# Properties, hostile input and speed.

_LEAVES = ['notify "mailto:a@x.example";', 'redirect "b@x.example";', "keep;", "stop;"]


@st.composite
def blocks(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        if depth < 3 and draw(st.booleans()):
            chain = f"if true {{ {draw(blocks(depth + 1))} }}"
            for _ in range(draw(st.integers(0, 2))):
                chain += f" elsif false {{ {draw(blocks(depth + 1))} }}"
            if draw(st.booleans()):
                chain += f" else {{ {draw(blocks(depth + 1))} }}"
            parts.append(chain)
        else:
            parts.append(draw(st.sampled_from(_LEAVES)))
    return " ".join(parts)


@settings(max_examples=60, deadline=None)
@given(blocks())
def test_the_bound_is_the_worst_enumerated_path(body: str) -> None:
    flow = flow_of(body)
    limit = 20_000
    counts = [
        sum(c.name in ("notify", "redirect") for c in path.commands)
        for path in flow.paths(limit=limit)
    ]
    if len(counts) < limit:
        assert flow.bound().total == max(counts)
    else:
        # Too many paths to enumerate them all: the bound still covers every one seen.
        assert flow.bound().total >= max(counts)


def test_deeply_nested_loops_stay_cheap() -> None:
    body = "foreverypart { " * 30 + 'notify "mailto:a@x.example"; set "a" "${b}";' + " }" * 30
    started = time.perf_counter()
    flow = flow_of(body, parts=1000)
    assert flow.bound().notifications == 1000**30
    flow.value_origins()
    assert len(list(flow.paths(limit=100))) == 31
    assert time.perf_counter() - started < 1.0


def test_the_flow_rules_lint_a_two_thousand_line_script_in_well_under_a_second() -> None:
    rules = [
        f'if header :matches "Subject" "*{n}*" {{ set "v{n}" "${{1}}";'
        f' notify :message "${{v{n}}}" "mailto:n{n}@x.example"; }}'
        if n % 3 == 0
        else f'if address :is "From" "s{n}@x.example" {{ fileinto "F{n % 7}"; stop; }}'
        for n in range(2000)
    ]
    source = REQUIRE + "\n".join(rules) + "\n"
    started = time.perf_counter()
    rules = [all_rules()[code] for code in FLOW_RULES]
    findings = lint(source, "big.sieve", LintConfig(), rules=rules)
    elapsed = time.perf_counter() - started
    assert "amplification-bound" in {f.code for f in findings}
    assert elapsed < 1.0, elapsed


# What the rules built on the flow say.


def findings_of(source: str, code: str, **settings: object) -> list:
    config = LintConfig().merged(settings)
    return [f for f in lint(source, "t.sieve", config) if f.code == code]


def test_notify_in_a_loop_is_flagged_with_the_bound_and_the_path() -> None:
    source = (
        'require ["enotify", "foreverypart"];\n'
        "foreverypart {\n"
        '    notify "mailto:a@x.example";\n'
        '    notify "mailto:b@x.example";\n'
        '    notify "mailto:c@x.example";\n'
        "}\n"
    )
    (bound,) = findings_of(source, "amplification-bound", max_mime_parts=5)
    assert "up to 15 notifications, over the limit of 10" in bound.message
    assert "foreverypart loop at line 2, notify at line 3 ×5" in bound.message
    assert "sends at most 3" in bound.message  # what Pigeonhole would really send
    assert (bound.line, bound.column) == (3, 5)
    per_command = findings_of(source, "notify-in-foreverypart", max_mime_parts=5)
    assert [f.line for f in per_command] == [3, 4, 5]
    assert "up to 5 notifications" in per_command[0].message


def test_the_bound_follows_the_configured_limit() -> None:
    source = 'redirect "a@x.example"; redirect "b@x.example"; redirect "c@x.example";'
    assert findings_of(source, "amplification-bound", max_redirects=2)
    assert not findings_of(source, "amplification-bound", max_redirects=3)


def test_an_unread_include_is_named_and_reported_inside_a_loop() -> None:
    source = (
        'require ["include", "foreverypart", "enotify"];\n'
        'foreverypart { include "parts"; notify "mailto:a@x.example"; }\n'
    )
    unread, bound = findings_of(source, "amplification-bound")
    assert bound.severity == "warning"
    assert "the include at line 2 (not read, not counted)" in bound.message
    assert unread.severity == "info" and (unread.line, unread.column) == (2, 16)
    assert "runs up to 1000 times per message" in unread.message


def test_an_unencoded_subject_in_a_mailto_uri_is_an_injection() -> None:
    source = (
        'require ["enotify", "variables"];\n'
        'if header :matches "Subject" "*" { set "s" "${1}"; }\n'
        'set :encodeurl "e" "${s}";\n'
        'notify "mailto:me@x.example?subject=${e}";\n'
        'notify "mailto:me@x.example?subject=${s}";\n'
        'notify "mailto:me@x.example?cc=${e}";\n'
    )
    found = findings_of(source, "content-derived-target")
    assert [f.line for f in found] == [5, 6]
    assert "&cc=" in found[0].message
    assert "the Subject header" in found[1].message


def test_redirect_back_to_the_sender_is_left_to_its_own_rule() -> None:
    source = (
        'require ["envelope", "variables"];\n'
        'if envelope :matches "from" "*" { set "from" "${1}"; }\n'
        'redirect "${from}";\n'
    )
    assert not findings_of(source, "content-derived-target")
    (back,) = findings_of(source, "redirect-to-sender")
    assert "back to the sender" in back.message and "the envelope sender" in back.message
    assert findings_of(source, "content-derived-target", ignore="redirect-to-sender")


@pytest.mark.parametrize("code", FLOW_RULES)
def test_the_documented_example_triggers_the_rule_and_the_fix_does_not(code: str) -> None:
    doc = inspect.cleandoc(type(all_rules()[code]).__doc__ or "")
    example, use_instead = doc.split("## Example")[1].split("## Use instead")
    bad, good = (
        re.search(r"```sieve\n(.*?)```", part, re.S).group(1) for part in (example, use_instead)
    )
    assert code in {f.code for f in lint(bad, "example.sieve")}
    findings = lint(good, "use-instead.sieve")
    assert code not in {f.code for f in findings}
    assert not [f for f in findings if f.severity == "error"], findings
