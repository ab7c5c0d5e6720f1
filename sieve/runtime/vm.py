"""The VM: runs a compiled Program against one message under Limits, and returns a Result.

Everything the script does goes through `Run`: reading strings (with `${…}` expansion),
matching, adding actions, reaching the Host. Every step is counted; any limit or fault ends
the run with the implicit keep in force (RFC 5228 §2.10.6) and an error naming the cause.
Nothing but misuse of the API raises out of `execute()`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sieve.compiler.program import NO_VALUE, Constant, Program
from sieve.runtime import actions as act
from sieve.runtime.control import RunStop, ScriptReturn, ScriptStop
from sieve.runtime.host import CalloutAnswer, Envelope, Host, MemoryHost
from sieve.runtime.limits import Limits
from sieve.runtime.linking import Args, Linked, link
from sieve.runtime.matching import MATCH_TYPES, Matcher, MatchError
from sieve.runtime.message import Message
from sieve.runtime.mime_parts import Part, descendants
from sieve.runtime.result import FAILED, LIMIT, SUCCESS, Result, RunError, TraceEvent
from sieve.runtime.variables import expand, truncate

CAPTURING = ("matches", "regex")
_TIME_CHECK_EVERY = 256


# The run.


@dataclass(slots=True)
class Frame:
    """One script being run (the main one or an included one), with its own variables."""

    linked: Linked
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    match: tuple[str, ...] = ()


# How a run compiles an included script: (source, name, dialect, limits, extensions).
CompileIncluded = Callable[[str | bytes, str, str, Limits, frozenset[str] | None], Linked]


class Run:
    """The state of one execution. Implementations read arguments and message, and add
    actions, only through its methods, so limits and tracing hold everywhere."""

    def __init__(
        self,
        message: Message,
        envelope: Envelope,
        host: Host,
        limits: Limits,
        environment: Mapping[str, str] | None = None,
        tracing: bool = False,
        compile_included: CompileIncluded | None = None,
    ) -> None:
        self.message = message
        self.envelope = envelope
        self.host = host
        self.limits = limits
        self.environment = dict(environment or {})
        self.tracing = tracing
        self.trace: list[TraceEvent] = []
        self.actions: list[act.Action] = []
        self.action_keys: dict[tuple[Any, ...], act.Action] = {}
        self.flags: list[str] = []
        self.globals: dict[str, str] = {}
        self.frames: list[Frame] = []
        self.frame: Frame | None = None
        self.line = 0
        self.steps = 0
        self.memory = 0
        self.redirects = 0
        self.notifications = 0
        self.vacations = 0
        self.includes = 0
        self.included: set[tuple[str, str]] = set()
        self.header_bytes = 0
        self.mime_parts = 0
        self.edited = False
        self.part: Part | None = None  # the foreverypart loop's current part
        self.warnings: list[RunError] = []
        self.compile_included = compile_included
        # Per-run scratch space of extensions (duplicate's answers), and what to do only if
        # the run succeeds (RFC 7352 §3: a failed delivery must not mark the ID as seen).
        self.extension_state: dict[str, Any] = {}
        self.successes: list[Callable[[], None]] = []
        self._now: datetime | None = None
        self.jettisoned = False
        # The capabilities the script was compiled against (None: all), for ihave.
        self.extensions: frozenset[str] | None = None
        self._deadline = time.thread_time() + limits.max_cpu_seconds
        self._next_check = min(_TIME_CHECK_EVERY, limits.max_steps)

    # Limits.

    def stop(self, code: str, message: str) -> RunStop:
        return RunStop(FAILED, code, message)

    def limit(self, name: str, message: str) -> RunStop:
        return RunStop(LIMIT, name, message)

    def charge(self, steps: int) -> None:
        """Counts work beyond one instruction (values compared, parts walked)."""
        self.steps += steps
        if self.steps > self._next_check:
            self.check()

    def check(self) -> None:
        """The step and CPU limits; the clock is read every few hundred steps only, since
        reading it costs as much as a step."""
        self._next_check = min(self.steps + _TIME_CHECK_EVERY, self.limits.max_steps)
        if self.steps > self.limits.max_steps:
            raise self.limit("max_steps", f"the run took more than {self.limits.max_steps} steps")
        if time.thread_time() > self._deadline:
            raise self.limit(
                "max_cpu_seconds",
                f"the run used more than {self.limits.max_cpu_seconds} s of CPU time",
            )

    # Values.

    @property
    def has_variables(self) -> bool:
        frame = self.frame
        return frame is not None and "variables" in frame.linked.capabilities

    def lookup(self, name: str) -> str:
        frame = self.frame
        if frame is None:
            return ""
        if name.isdigit():
            index = int(name)
            return frame.match[index] if index < len(frame.match) else ""
        key = name.lower()
        if key in frame.global_names:
            return self.globals.get(key, "")
        return frame.variables.get(key, "")

    def string(self, constant: Constant | None, default: str = "") -> str:
        if constant is None:
            return default
        value = constant.value
        if isinstance(value, tuple):
            value = value[0] if value else ""
        elif isinstance(value, int):
            return str(value)
        if constant.callout is not None:
            return self.callout_value(constant.callout, self._expand(value))
        if constant.has_variables:
            return self._expand(value)
        return value

    def strings(self, constant: Constant | None) -> list[str]:
        if constant is None:
            return []
        value = constant.value
        kind = value.__class__
        if kind is tuple:
            items = list(value)  # type: ignore[arg-type]
        elif kind is str:
            items = [value]  # type: ignore[list-item]
        else:
            return [str(value)]
        if constant.callout is not None:
            return [self.callout_value(constant.callout, self._expand(v)) for v in items]
        if constant.has_variables:
            return [self._expand(item) for item in items]
        return items

    def number(self, constant: Constant | None, default: int = 0) -> int:
        if constant is None:
            return default
        if isinstance(constant.value, int):
            return constant.value
        text = self.string(constant)
        digits = text.strip()
        return int(digits) if digits.isdigit() else default

    def _expand(self, text: str) -> str:
        if "${" not in text or not self.has_variables:
            return text
        return truncate(expand(text, self.lookup), self.limits.max_string_length)

    def callout_value(self, table: str, value: str) -> str:
        """The value form `NAME("string")`: the output, or "" when the lookup failed or
        answered $N."""
        answer = self.callout(table, value)
        return "" if answer is None or answer.refused else answer.output

    def callout(self, table: str, value: str) -> CalloutAnswer | None:
        self.charge(1)
        answer = _bounded_call(
            self.host.callout, table, value, timeout=self.limits.max_callout_seconds
        )
        if answer is _TIMED_OUT:
            raise self.limit(
                "max_callout_seconds",
                f"the callout {table} took more than {self.limits.max_callout_seconds} s",
            )
        if self.tracing:
            if answer is None:
                self.event("callout", f"{table}({_show(value)}): no such mapping table")
            else:
                for step in answer.trace:
                    self.event("callout", f"{table}: {step}")
                verdict = "yes" if answer.success else "refused" if answer.refused else "no"
                self.event(
                    "callout", f"{table}({_show(value)}) = {_show(answer.output)}: {verdict}"
                )
        return answer

    # Variables.

    def set_variable(self, name: str, value: str) -> None:
        frame = self.frame
        assert frame is not None
        key = name.lower()
        value = truncate(value, self.limits.max_variable_size)
        store = self.globals if key in frame.global_names else frame.variables
        old = store.get(key)
        if old is None and len(frame.variables) + len(self.globals) >= self.limits.max_variables:
            raise self.limit(
                "max_variables", f"the script sets more than {self.limits.max_variables} variables"
            )
        self._account(len(value) - (len(old) if old is not None else 0))
        store[key] = value
        if self.tracing:
            self.event("set", f"{name} = {_show(value)}")

    def set_match(self, captures: Sequence[str]) -> None:
        frame = self.frame
        if frame is None or not self.has_variables:
            return
        limit = self.limits.max_variable_size
        match = tuple(truncate(capture, limit) for capture in captures)
        self._account(sum(map(len, match)) - sum(map(len, frame.match)))
        frame.match = match

    def _account(self, change: int) -> None:
        self.memory += change
        if self.memory > self.limits.max_variable_memory:
            raise self.limit(
                "max_variable_memory",
                f"variables and match data hold more than {self.limits.max_variable_memory} "
                "characters",
            )

    # Matching.

    def match(
        self, args: Args, values: Sequence[str], keys: Constant | None, *, default: str = "is"
    ) -> bool:
        """RFC 5228 §2.7: a test is true when any value matches any key under the test's
        match type and comparator; :matches and :regex set the match variables."""
        if "list" in args.tags:  # RFC 6134: the keys name external lists
            from sieve.extensions.extlists import list_match

            return list_match(self, args, values, keys)
        matcher = args.cache.get(id(keys))
        if matcher is None:
            matcher = self._matcher(args, keys, default)
        # Charged before matching, by the matcher's own worst-case estimate (characters it
        # may examine; a step is 64 of them), so a hostile key over a huge value ends at
        # the step limit without being run.
        self.steps += 1 + (matcher.cost(values) >> 6)
        if self.steps > self._next_check:
            self.check()
        try:
            outcome = matcher.test(values)
        except MatchError as error:
            raise self.stop("bad-match", str(error)) from None
        if outcome.matched and outcome.captures is not None:
            self.set_match(outcome.captures)
        if self.tracing:
            self.event(
                "test",
                f"{args.name} {matcher.match_type} {_show_list(values)} against "
                f"{_show_list(matcher.keys)}: {'true' if outcome.matched else 'false'}",
            )
        return outcome.matched

    def _matcher(self, args: Args, keys: Constant | None, default: str) -> Matcher:
        match_type = next((name for name in MATCH_TYPES if name in args.tags), default)
        # Args outlive the run, and a :regex key is compiled under this run's
        # max_regex_memory: such a matcher is cached per limit, never under id(keys) alone,
        # so a run with a smaller limit cannot reuse a regex a larger one allowed.
        cache_key: Any = id(keys)
        if match_type == "regex":
            cache_key = (cache_key, self.limits.max_regex_memory)
            cached = args.cache.get(cache_key)
            if cached is not None:
                return cached
        comparator_constant = args.tags.get("comparator")
        relation_constant = args.tags.get(match_type) if match_type in ("count", "value") else None
        key_list = self.strings(keys)
        comparator = self.string(comparator_constant, "i;ascii-casemap")
        relation = self.string(relation_constant).lower() if relation_constant else None
        try:
            matcher = Matcher(
                match_type,
                comparator,
                relation,
                key_list,
                captures=match_type in CAPTURING and self.has_variables,
                regex_max_mem=self.limits.max_regex_memory,
            )
        except MatchError as error:
            raise self.stop("bad-match", str(error)) from None
        fixed = all(
            constant is None or (not constant.has_variables and constant.callout is None)
            for constant in (keys, comparator_constant, relation_constant)
        )
        if fixed:
            # By identity: the constant lives as long as the program, and hashing it would
            # hash its whole key list on every match.
            args.cache[cache_key] = matcher
        return matcher

    # Message access, counted.

    def header(self, name: str, part: Part | Message | None = None) -> list[str]:
        source = part if part is not None else self.message
        values = source.header(name)
        self.count_header_bytes(values)
        return values

    def raw_header(self, name: str, part: Part | Message | None = None) -> list[str]:
        source = part if part is not None else self.message
        values = source.raw_header(name)
        self.count_header_bytes(values)
        return values

    def count_header_bytes(self, values: Iterable[str]) -> None:
        self.header_bytes += sum(map(len, values))
        if self.header_bytes > self.limits.max_header_bytes:
            raise self.limit(
                "max_header_bytes",
                f"the run read more than {self.limits.max_header_bytes} bytes of headers",
            )

    def count_parts(self, count: int) -> None:
        self.mime_parts += count
        if self.mime_parts > self.limits.max_mime_parts:
            raise self.limit(
                "max_mime_parts", f"the run inspected more than {self.limits.max_mime_parts} parts"
            )
        self.charge(count)

    def now(self) -> datetime:
        """The Host's clock, read once per run: every currentdate, vacation and duplicate
        of one run sees the same instant."""
        if self._now is None:
            self._now = self.host.now()
        return self._now

    def on_success(self, callback: Callable[[], None]) -> None:
        """Runs `callback` after the run, only if it ends with status success."""
        self.successes.append(callback)

    def editable_message(self) -> Message:
        """RFC 5293: edits are seen by later tests of this run only."""
        if not self.edited:
            self.message = self.message.fork()
            self.edited = True
        return self.message

    # Actions.

    def add(self, action: act.Action) -> None:
        """Adds an action: duplicates merge (RFC 5228 §2.10.3); conflicts and limits stop
        the run."""
        action.line = self.line
        if self.jettisoned and isinstance(action, act.DELIVERS):
            # Oracle's jettison throws the message away for good: no later keep undoes it.
            self.warn("jettisoned", f"{action.type} has no effect after jettison")
            return
        key = action.key()
        if key is not None and act.merge_duplicate(self.actions, self.action_keys, key, action):
            self._trace_action(action, merged=True)
            return
        problem = act.conflict(self.actions, action)
        if problem is not None:
            raise self.stop("action-conflict", problem)
        self._count(action)
        self.actions.append(action)
        if key is not None:
            self.action_keys[key] = action
        self._trace_action(action)

    def withdraw(self, kinds: tuple[type[act.Action], ...], why: str) -> None:
        """Takes back the actions of these kinds (Oracle's jettison), each with a warning,
        and refuses later ones (see add)."""
        for action in [a for a in self.actions if isinstance(a, kinds)]:
            self.actions.remove(action)
            self.action_keys = {k: v for k, v in self.action_keys.items() if v is not action}
            self.warn("jettisoned", f"the {action.type} on line {action.line} is {why}")
        self.jettisoned = True

    def _count(self, action: act.Action) -> None:
        limits = self.limits
        if isinstance(action, act.Redirect):
            self.redirects += 1
            if self.redirects > limits.max_redirects:
                raise self.limit(
                    "max_redirects", f"more than {limits.max_redirects} redirects in one run"
                )
        elif isinstance(action, act.Notify):
            self.notifications += 1
            if self.notifications > limits.max_notifications:
                raise self.limit(
                    "max_notifications",
                    f"more than {limits.max_notifications} notifications in one run",
                )
        elif isinstance(action, act.Vacation):
            self.vacations += 1
            if self.vacations > limits.max_vacations:
                raise self.limit(
                    "max_vacations", f"more than {limits.max_vacations} vacation replies in one run"
                )
        if len(self.actions) >= limits.max_actions:
            raise self.limit("max_actions", f"more than {limits.max_actions} actions in one run")

    def _trace_action(self, action: act.Action, merged: bool = False) -> None:
        if self.tracing:
            self.event(
                "action", describe(action) + (" (merged with an earlier one)" if merged else "")
            )

    def event(self, kind: str, text: str) -> None:
        frame = self.frame
        self.trace.append(
            TraceEvent(self.line, kind, text, len(self.frames) - 1, frame.name if frame else "")
        )

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(RunError(code, message, self.line, 0, self._script_name()))

    def _script_name(self) -> str:
        return self.frame.name if self.frame is not None else ""

    # Execution.

    def execute(
        self,
        linked: Linked,
        name: str = "",
        global_names: Iterable[str] = (),
        variables: dict[str, str] | None = None,
    ) -> None:
        """Runs one script; `stop` ends the whole run (ScriptStop reaches the caller),
        `return` only this script. `variables` is the script's own variable table when the
        caller keeps it across runs (the testsuite's blocks share one)."""
        frame = Frame(linked, name, variables if variables is not None else {})
        frame.global_names.update(global_names)
        self.frames.append(frame)
        outer, part = self.frame, self.part
        self.frame = frame
        try:
            self._loop(linked)
        except ScriptReturn:
            pass
        finally:
            # A script that returns from inside its own foreverypart leaves the includer
            # on the part it was on.
            self.frames.pop()
            self.frame, self.part = outer, part

    def _loop(self, linked: Linked) -> None:
        code = linked.code
        calls = linked.calls
        end = len(code)
        pc = 0
        flag = False
        loops: list[_LoopState] = []
        while pc < end:
            op, first, second, line = code[pc]
            self.line = line
            self.steps += 1
            if self.steps > self._next_check:
                self.check()
            if op == 1:  # CALL_TEST
                function, args = calls[first]
                if self.tracing:
                    before = len(self.trace)
                    flag = bool(function(self, args))
                    if len(self.trace) == before:
                        self.event("test", f"{args.name}: {'true' if flag else 'false'}")
                else:
                    flag = bool(function(self, args))
            elif op == 5:  # JUMP_IF_FALSE
                if not flag:
                    pc = first
                    continue
            elif op == 2:  # CALL_COMMAND
                function, args = calls[first]
                function(self, args)
            elif op == 4:  # JUMP
                pc = first
                continue
            elif op == 6:  # JUMP_IF_TRUE
                if flag:
                    pc = first
                    continue
            elif op == 3:  # NOT
                flag = not flag
            elif op == 10:  # STOP
                if self.tracing:
                    self.event("stop", "the script ends here")
                raise ScriptStop
            elif op == 7:  # LOOP_BEGIN
                state = self._begin_loop(linked, first, pc)
                if state is None:
                    pc = second
                    continue
                loops.append(state)
            elif op == 8:  # LOOP_NEXT
                state = loops[-1]
                state.position += 1
                if state.position < len(state.parts):
                    self.count_parts(1)
                    self.part = state.parts[state.position]
                    pc = state.begin + 1
                    continue
                loops.pop()
                self.part = state.outer
            elif op == 9:  # BREAK
                target_name = linked.program.constants[first].value if first != NO_VALUE else None
                while loops:
                    state = loops.pop()
                    self.part = state.outer
                    if target_name is None or state.name == target_name:
                        break
                pc = second
                continue
            pc += 1

    def _begin_loop(self, linked: Linked, name_index: int, pc: int) -> _LoopState | None:
        """RFC 5703 §3.1: foreverypart visits the parts depth first; at the top that is
        every part, the message's own top-level part first (as Pigeonhole does), and a
        nested loop walks the parts below the outer loop's current part."""
        parts = self.message.parts()
        below = parts if self.part is None else descendants(parts, self.part)
        name = linked.program.constants[name_index].value if name_index != NO_VALUE else None
        if not below:
            return None
        self.count_parts(1)
        state = _LoopState(below, 0, pc, self.part, name)
        self.part = below[0]
        return state


@dataclass(slots=True)
class _LoopState:
    parts: list[Part]
    position: int
    begin: int
    outer: Part | None
    name: object


def _show(value: str, limit: int = 60) -> str:
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_TIMED_OUT: Any = object()
_CALLOUTS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="sieve-callout")


def _bounded_call(function: Callable[..., Any], *args: Any, timeout: float) -> Any:
    """Runs a Host call that may wait on the network with a wall-clock bound. The CPU clock
    the VM reads between steps cannot see a call that sleeps; a call that overruns is left
    to finish in its worker thread, and the run goes on without it."""
    future = _CALLOUTS.submit(function, *args)
    try:
        return future.result(timeout=timeout)
    except FuturesTimeout:
        future.cancel()
        return _TIMED_OUT


def describe(action: act.Action) -> str:
    """An action as a person reads it: `fileinto "Junk" flags=["\\Seen"] copy`."""
    shown = [action.type]
    for name, value in action.to_dict().items():
        if name == "type" or value in ("", [], None, False):
            continue
        if value is True:
            shown.append(name)
        elif isinstance(value, list):
            shown.append(f"{name}={_show_list(value)}")
        elif isinstance(value, str):
            shown.append(f"{name}={_show(value)}")
        else:
            shown.append(f"{name}={value}")
    return " ".join(shown)


def _show_list(values: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(_show(v) for v in list(values)[:limit])
    more = f", … {len(values) - limit} more" if len(values) > limit else ""
    return f"[{shown}{more}]"


# The entry point.


def execute(
    program: Program | Linked,
    message: bytes | str | Any,
    *,
    envelope: Envelope | None = None,
    environment: Mapping[str, str] | None = None,
    host: Host | None = None,
    limits: Limits | None = None,
    trace: bool = False,
    name: str = "",
    compile_included: CompileIncluded | None = None,
    extensions: frozenset[str] | None = None,
) -> Result:
    """Runs a program on a message. Never raises for anything the script or the message
    does; a wrong type of argument is the caller's mistake and raises TypeError."""
    limits = limits or Limits()
    linked = program if isinstance(program, Linked) else link(program)
    parsed = (
        message
        if isinstance(message, Message)
        else Message.parse(
            message, max_header_bytes=limits.max_header_bytes, max_parts=limits.max_mime_parts
        )
    )
    run = Run(
        parsed,
        envelope or Envelope(),
        host or MemoryHost(),
        limits,
        environment,
        trace,
        compile_included,
    )
    run.extensions = extensions
    if parsed.truncated_headers:
        # A sender can pad the header to push a field out of sight; say so with every result.
        run.warn(
            "header-truncated",
            f"the header block is over max_header_bytes ({limits.max_header_bytes}): "
            f"the last {parsed.ignored_header_bytes} bytes of fields were not read",
        )
    status, errors = SUCCESS, []
    try:
        run.execute(linked, name or linked.program.name)
    except ScriptStop:
        pass
    except RunStop as stop:
        status = stop.status
        errors.append(RunError(stop.code, stop.message, run.line, 0, run._script_name()))
    except RecursionError:
        status = LIMIT
        errors.append(RunError("max_depth", "the run nested too deeply", run.line))
    except MemoryError:
        status = LIMIT
        errors.append(RunError("max_memory", "the run ran out of memory", run.line))
    except Exception as error:  # noqa: BLE001 - mail must not be lost to a bug of ours
        status = FAILED
        errors.append(RunError("internal-error", f"{type(error).__name__}: {error}", run.line))
    if status == SUCCESS:
        for callback in run.successes:
            try:
                callback()
            except Exception as error:  # noqa: BLE001 - a Host failure must not lose mail
                run.warn("host-error", f"recording after the run failed: {error}")
    if trace and errors:
        run.event("error", errors[-1].message)
    return _result(run, status, errors)


def _result(run: Run, status: str, errors: list[RunError]) -> Result:
    if status != SUCCESS:
        # RFC 5228 §2.10.6: after an error, the implicit keep, and nothing else.
        return Result(
            status,
            [],
            True,
            [],
            errors,
            run.warnings,
            run.trace,
            cancelled=run.actions,
            steps=run.steps,
            message=run.message,
        )
    keep = not act.cancels_implicit_keep(run.actions)
    return Result(
        status,
        run.actions,
        keep,
        list(run.flags) if keep else [],
        errors,
        run.warnings,
        run.trace,
        steps=run.steps,
        message=run.message,
    )
