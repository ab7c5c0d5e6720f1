"""A static bound on the messages one execution can send, against the server's limits."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.bound import ACTIONS, OUTGOING, Bound, Step
from sieve.lint.context import LintContext
from sieve.lint.finding import INFO, Finding
from sieve.lint.flow import ControlFlow
from sieve.lint.rule import Rule
from sieve.lint.statements import LOOP
from sieve.syntax.ast import Command

# Each measure of the bound: the config field with its limit, how the setting is spelt on
# the command line, and the word for what is counted.
_LIMITS = (
    ("notifications", "max_notifys", "--max-notifys, Oracle's MAX_NOTIFYS", "notifications"),
    ("redirects", "max_redirects", "--max-redirects", "redirects"),
    ("vacations", "max_vacations", "max-vacations", "vacation replies"),
    ("actions", "max_actions", "max-actions", "actions"),
)
_SHOWN_STEPS = 8


class AmplificationBound(Rule):
    """## What it does
    Works out, over every path through the script, the largest number of notifications,
    redirects, vacation replies and actions one execution can create, and reports where
    that can exceed the configured limits (`max-notifys`, Oracle's MAX_NOTIFYS, default
    10; `max-redirects`, default 4; `max-vacations`; `max-actions`, default 32). Each
    `foreverypart` iteration counts, up to the MIME-part limit (`max-mime-parts`), and
    nested loops multiply; of an `if`/`elsif`/`else` chain only the worst branch counts;
    `stop` ends a path. Included scripts are counted when the linter can read them; when
    it cannot, the finding says so, and an unread include inside a loop is reported.
    The bound holds for any server: it counts a notification or redirect each time it
    runs. Servers that merge equal ones (Pigeonhole, `sieve run`) send fewer, and the
    finding says how many; for actions, an equal `keep` or `fileinto` counts once.

    ## Why is this bad?
    One incoming message should never turn into a flood of outgoing ones: the server's
    limits exist because filters have been used as amplifiers. A script that can reach a
    limit is cut short at run time, with only part of its actions done, and meanwhile
    has already sent what it sent. The finding names the path that does it.

    ## Example
    ```sieve
    require ["enotify", "foreverypart"];
    foreverypart {
        notify "mailto:alice@example.com";
        notify "mailto:bob@example.com";
    }
    ```

    ## Use instead
    ```sieve
    require ["enotify"];
    notify "mailto:alice@example.com";
    notify "mailto:bob@example.com";
    ```
    Send outgoing messages outside loops, once per message, to a short fixed list.
    """

    code = "amplification-bound"

    def check(self, context: LintContext) -> Iterator[Finding]:
        flow = context.flow
        if flow is None:
            return
        bound = flow.bound()
        config = context.config
        unknown = _unknown_note(context, bound)
        for measure, field, setting, word in _LIMITS:
            limit = getattr(config, field, None)
            value = bound.value(measure)
            if limit is None or value <= limit:
                continue
            steps = _counted(flow, bound.worst[measure], measure)
            anchor = _anchor(context, steps) or context.script.commands[0]
            yield self.finding(
                anchor.name_span,
                f"one message can make this script create up to {value} {word}, over the"
                f" limit of {limit} ({setting}): {_describe(context, steps)}"
                + _merged_note(flow, steps, measure, value, word)
                + unknown,
                _hint(measure, steps),
            )
        yield from self._unknown_in_loops(context, flow, bound)

    def _unknown_in_loops(
        self, context: LintContext, flow: ControlFlow, bound: Bound
    ) -> Iterator[Finding]:
        for command in bound.unknown:
            if flow.name(command) != "include" or not _ours(context, command):
                continue
            loops = flow.loops_around(command)
            if not loops:
                continue
            yield self.finding(
                command.name_span,
                f"this include runs up to {flow.fan_out(command)} times per message (inside"
                f" the foreverypart loop at line {loops[-1].span.line}), and the script it"
                " includes could not be read, so what it sends is not counted",
                "lint with the included scripts available, or include outside the loop",
                severity=INFO,
            )


def _counted(flow: ControlFlow, steps: list[Step], measure: str) -> list[Step]:
    """The steps of a worst path that count for a measure (and the loops that multiply
    them), in path order."""
    kept = [
        step
        for step in steps
        if flow.name(step.command) in (LOOP, "include") or _counts(flow.name(step.command), measure)
    ]
    # Loops and includes that multiply nothing counted are noise.
    counted = [s for s in kept if flow.name(s.command) not in (LOOP, "include")]
    if not counted:
        return kept
    return [
        s
        for s in kept
        if flow.name(s.command) not in (LOOP, "include") or _encloses(s.command, counted)
    ]


def _counts(name: str, measure: str) -> bool:
    return name in ACTIONS if measure == "actions" else OUTGOING.get(name) == measure


def _encloses(command: Command, steps: list[Step]) -> bool:
    source, start, end = command.span
    return any(
        s.command.span.source is source and start <= s.command.span.start < end for s in steps
    ) or any(s.command.span.source is not source for s in steps)


def _ours(context: LintContext, command: Command) -> bool:
    """Whether a command is in the script being linted (not in an included one)."""
    return command.span.source is context.source_map


def _anchor(context: LintContext, steps: list[Step]) -> Command | None:
    """Where to report: the first counted command of this script, else the include or
    loop that leads to the counted ones."""
    ours = [s.command for s in steps if _ours(context, s.command)]
    plain = [c for c in ours if c.name not in (LOOP, "include")]
    return (plain or ours or [None])[0]


def _describe(context: LintContext, steps: list[Step]) -> str:
    parts: list[str] = []
    for step in steps:
        command = step.command
        times = f" ×{step.times}" if step.times != 1 else ""
        if command.name == LOOP:
            parts.append(f"the foreverypart loop at line {command.span.line}")
        elif command.name == "include":
            parts.append(f"the include at line {command.span.line}")
        elif _ours(context, command):
            parts.append(f"{command.name} at line {command.span.line}{times}")
        else:
            parts.append(f"{command.name} in an included script{times}")
    if len(parts) > _SHOWN_STEPS:
        hidden = len(parts) - _SHOWN_STEPS
        parts = [*parts[:_SHOWN_STEPS], f"and {hidden} more"]
    return "the path through " + ", ".join(parts)


def _merged_note(flow: ControlFlow, steps: list[Step], measure: str, value: int, word: str) -> str:
    """What a server that merges equal notifications and redirects sends (Pigeonhole and
    `sieve run` do; others need not): a command with fixed arguments counts once."""
    if measure not in ("notifications", "redirects"):
        return ""
    merged = sum(
        1 if flow.merges(step.command) else step.times
        for step in steps
        if flow.name(step.command) not in (LOOP, "include")
    )
    if merged >= value:
        return ""
    return f" (a server that merges equal {word}, as Pigeonhole does, sends at most {merged})"


def _unknown_note(context: LintContext, bound: Bound) -> str:
    notes: list[str] = []
    for command in bound.unknown:
        if not _ours(context, command):
            continue
        if command.name == "include":
            notes.append(f"the include at line {command.span.line} (not read, not counted)")
        else:
            notes.append(
                f"redirect :list at line {command.span.line} (counted once, sends one per member)"
            )
    return f"; the bound leaves out {', '.join(notes)}, so it may be higher" if notes else ""


def _hint(measure: str, steps: list[Step]) -> str:
    if any(step.command.name == LOOP for step in steps):
        return (
            "move the sending out of the foreverypart loop: note what the loop found in a"
            " variable and act once after it"
        )
    if measure == "actions":
        return "use elsif and stop so that one message matches fewer rules"
    return "send to fewer addresses per message, or stop after the first rule that sends"


RULE = AmplificationBound()
