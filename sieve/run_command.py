"""`sieve run SCRIPT MESSAGE...`: what the script does to each message, as a summary, as
the JSON document of `Result.to_dict()`, and with `--trace` line by line.

With `--maildir DIR`, `--mbox FILE` or a folder among the messages (or `--format csv`) it
is a dry run over whole mailboxes instead: every message runs, on `--jobs` processes, and
a summary table says what would have happened (`sieve.dryrun`). When `--from`/`--to` are
not given, a dry run reads each message's envelope from its Return-Path (else its first
From) and its first To."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sieve.cli import read_input
from sieve.mapping.options import add_mapping_options, callout_check, run_host
from sieve.runtime.hierarchy import LEVELS, HierarchyResult, run_hierarchy
from sieve.runtime.host import Envelope, parse_moment
from sieve.runtime.limits import Limits
from sieve.runtime.mailbox import DEFAULT_MAX_MESSAGE_SIZE
from sieve.runtime.result import SUCCESS, Result
from sieve.runtime.vm import describe

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
RUN_LIMITS = [
    f.name
    for f in dataclasses.fields(Limits)
    if f.name.startswith("max_") and f.name not in ("max_diagnostics",)
]


def configure(run: argparse.ArgumentParser, dialects: list[str], capability_list: Any) -> None:
    """Adds `sieve run`'s options to the parser that sieve/cli.py made for it."""
    run.description = "Run a script on one or more messages and show the actions it takes."
    run.set_defaults(handler=command_run)
    run.add_argument(
        "inputs",
        nargs="*",
        metavar="[SCRIPT] MESSAGE",
        help="a .sieve or .svbc script, then message files (- is stdin) or folders of "
        ".eml files or maildirs (a dry run); with --user, --channel or --system, only messages",
    )
    for level, what in (
        ("user", "the user's own script"),
        ("channel", "the channel's script"),
        ("system", "the MTA-wide script"),
    ):
        run.add_argument(
            f"--{level}",
            default=None,
            metavar="SCRIPT",
            help=f"{what}: the Oracle filter hierarchy runs user, channel, system until one "
            "script keeps, files, redirects, discards, rejects or jettisons the message",
        )
    run.add_argument(
        "--from",
        dest="mail_from",
        default=None,
        help="envelope sender (MAIL FROM; in a dry run, default: each message's Return-Path)",
    )
    run.add_argument(
        "--to",
        dest="rcpt_to",
        default=None,
        help="envelope recipient (RCPT TO; in a dry run, default: each message's first To)",
    )
    run.add_argument("--orig-to", default=None, help="original recipient (ORCPT)")
    run.add_argument("--auth", default=None, help="authenticated submitter")
    run.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment item (RFC 5183) for the script; repeatable",
    )
    run.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"override a limit; one of: {', '.join(RUN_LIMITS)}",
    )
    run.add_argument(
        "--now", default=None, help="the clock, as an ISO 8601 date and time (default: now)"
    )
    run.add_argument(
        "--scripts",
        default=None,
        metavar="DIR",
        help="where included scripts are read from (default: the script's folder)",
    )
    run.add_argument("--dialect", choices=dialects, default="standard")
    run.add_argument("--extensions", type=capability_list, default=None, metavar="LIST")
    run.add_argument(
        "--format",
        choices=("text", "json", "csv"),
        default="text",
        help="text; json (one document, or JSON lines for several messages); csv (one row "
        "per message); in a dry run, json and csv go to stdout and the summary to stderr",
    )
    run.add_argument(
        "--trace",
        action="store_true",
        help="show each test and action (in a dry run: count the tests that matched)",
    )
    add_mapping_options(run, run=True)
    dry = run.add_argument_group(
        "dry runs over mailboxes",
        "Run every message of a mailbox and print a summary: how many messages each action "
        "and mailbox would get, which rules fired, which messages failed. Without --from "
        "and --to, each message's envelope is read from its Return-Path (else From) and "
        "its first To. Each worker process has its own Host: duplicate and vacation "
        "memories, and throttle counts unless --state or --memcached shares them.",
    )
    dry.add_argument(
        "--maildir", action="append", default=[], metavar="DIR", help="a maildir (cur/, new/)"
    )
    dry.add_argument(
        "--mbox", action="append", default=[], metavar="FILE", help="an mbox file (From_ lines)"
    )
    dry.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help="worker processes (default: the number of cores)",
    )
    dry.add_argument(
        "--max-message-size",
        type=_positive,
        default=DEFAULT_MAX_MESSAGE_SIZE,
        metavar="BYTES",
        help=f"skip (and report) larger messages (default {DEFAULT_MAX_MESSAGE_SIZE})",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"needs a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"needs a number of at least 1, not {value}")
    return value


def command_run(args: argparse.Namespace) -> int:
    try:
        limits = _limits(args.limit)
        environment = _pairs(args.env, "--env")
        moment = _moment(args.now)
        check_callouts = callout_check(args)
    except (ValueError, *mapping_errors(args)) as error:
        print(f"sieve run: {error}", file=sys.stderr)
        return EXIT_USAGE
    hierarchy = [(level, getattr(args, level)) for level in LEVELS if getattr(args, level)]
    if hierarchy:
        paths, messages = [path for _, path in hierarchy], args.inputs
    else:
        paths, messages = args.inputs[:1], args.inputs[1:]
    dry_run = _wants_dry_run(args, messages)
    if not paths or not (messages or dry_run):
        print("sieve run: give a SCRIPT and at least one MESSAGE", file=sys.stderr)
        return EXIT_USAGE
    scripts = []
    sources: dict[str, list[str]] = {}
    for path in paths:
        loaded = _load_script(path, args, limits, check_callouts, sources)
        if isinstance(loaded, int):
            return loaded
        scripts.append(loaded)
    folder = Path(args.scripts) if args.scripts else Path(paths[0]).resolve().parent
    if dry_run:
        from sieve.dryrun.command import run_mailboxes, settings_from

        levels = [level for level, _ in hierarchy] or [""]
        pairs = list(zip(levels, scripts, strict=True))
        settings = settings_from(args, pairs, limits, dict(environment), moment, str(folder))
        labelled = {
            level: sources[path]
            for level, path in zip(levels, paths, strict=True)
            if path in sources
        }
        return run_mailboxes(args, labelled, settings, messages)
    envelope = Envelope(args.mail_from or "", args.rcpt_to or "", args.orig_to, args.auth)
    # One Host for every message of the run: throttle counts, duplicate and vacation
    # memories carry from one message to the next, as on a server.
    try:
        host = run_host(args, now=moment, script_dir=folder, items=environment)
    except (ValueError, OSError, *mapping_errors(args)) as error:
        print(f"sieve run: {error}", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_CLEAN
    several = len(messages) > 1
    # The hierarchy's (level, script) pairs, made once for every message.
    level_scripts: list[tuple[str, Any]] = []
    if hierarchy:
        level_scripts = [(level, s) for (level, _), s in zip(hierarchy, scripts, strict=True)]
    for name in messages:
        item = read_input(name)
        if item is None:
            status = EXIT_USAGE
            continue
        data = item.data
        if hierarchy:
            outcome: Any = run_hierarchy(
                level_scripts,
                data,
                envelope,
                environment=environment,
                host=host,
                trace=args.trace,
            )
        else:
            outcome = scripts[0].run(
                data, envelope, environment=environment, host=host, trace=args.trace
            )
        if args.format == "json":
            if args.trace:
                for result in _results(outcome):
                    _print_trace(result, sys.stderr)
            document = outcome.to_dict()
            print(json.dumps(document) if several else json.dumps(document, indent=2))
        elif hierarchy:
            _print_hierarchy(name, outcome, sys.stdout, args.trace)
        else:
            _print_text(name, outcome, sys.stdout, args.trace)
        if outcome.status != SUCCESS and status == EXIT_CLEAN:
            status = EXIT_FINDINGS
    return status


def _wants_dry_run(args: argparse.Namespace, messages: list[str]) -> bool:
    """Mailbox options, a folder among the messages, or CSV (a table of messages)."""
    return bool(
        args.maildir
        or args.mbox
        or args.format == "csv"
        or any(name != "-" and Path(name).is_dir() for name in messages)
    )


def mapping_errors(args: argparse.Namespace) -> tuple[type[Exception], ...]:
    """What loading --mappings and its throttle store can raise (imported only then)."""
    if not args.mappings:
        return ()
    from sieve.mapping.stores import StoreUnavailable
    from sieve.mapping.tables import MappingError
    from sieve.mapping.throttle import ThrottleConfigError

    return (MappingError, ThrottleConfigError, StoreUnavailable)


def _load_script(
    path: str,
    args: argparse.Namespace,
    limits: Limits,
    check: Any,
    sources: dict[str, list[str]],
) -> Any:
    """A compiled script from a .sieve or .svbc file, or the exit status after saying why
    it cannot be had. The lines of a source script go into `sources` (by path), for the
    dry-run summary to show the rules that fired."""
    from sieve.cli import is_binary, load_compiled, read_input

    item = read_input(path)
    if item is None:
        return EXIT_USAGE
    if not is_binary(item.data):
        sources[path] = item.data.decode("utf-8", "replace").splitlines()
    compiled = load_compiled(
        path,
        item.data,
        extensions=args.extensions,
        dialect=args.dialect,
        limits=limits,
        callout_check=check,
    )
    return EXIT_FINDINGS if compiled is None else compiled


def _results(outcome: Any) -> list[Result]:
    if isinstance(outcome, HierarchyResult):
        return [level.result for level in outcome.levels]
    return [outcome]


def _limits(overrides: list[str]) -> Limits:
    values: dict[str, Any] = {}
    for name, value in _pairs(overrides, "--limit").items():
        if name not in RUN_LIMITS:
            raise ValueError(f"unknown limit {name!r}; limits are: {', '.join(RUN_LIMITS)}")
        try:
            values[name] = float(value) if name == "max_cpu_seconds" else int(value)
        except ValueError:
            raise ValueError(f"--limit {name} needs a number, not {value!r}") from None
    return Limits(**values)


def _pairs(items: list[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise ValueError(f"{option} takes NAME=VALUE, not {item!r}")
        pairs[name.strip()] = value
    return pairs


def _moment(text: str | None) -> datetime | None:
    """The --now clock, UTC when no zone is given."""
    if text is None:
        return None
    try:
        return parse_moment(text)
    except ValueError:
        raise ValueError(f"--now needs an ISO 8601 date and time, not {text!r}") from None


def _print_trace(result: Result, stream: TextIO) -> None:
    for event in result.trace:
        indent = "  " * event.depth
        where = f"{event.script}:" if event.depth else ""
        print(f"{indent}{where}{event.line}: {event.kind}: {event.text}", file=stream)


def _print_text(name: str, result: Result, stream: TextIO, trace: bool) -> None:
    print(f"{name}: {result.status}", file=stream)
    if trace:
        _print_trace(result, stream)
    _print_actions(result.actions, result.implicit_keep, result.implicit_keep_flags, stream)
    _print_problems(result, stream, "  ")


def _print_actions(actions: list[Any], keep: bool, flags: list[str], stream: TextIO) -> None:
    for action in actions:
        print(f"  {describe(action)}  (line {action.line})", file=stream)
    if keep:
        with_flags = f" with flags {' '.join(flags)}" if flags else ""
        print(f"  implicit keep{with_flags}", file=stream)


def _print_problems(result: Result, stream: TextIO, indent: str) -> None:
    for error in result.errors:
        text = f"{result.status}: {_where(error.line)}{error.message} [{error.code}]"
        print(f"{indent}{text}", file=stream)
    for warning in result.warnings:
        print(
            f"{indent}warning: {_where(warning.line)}{warning.message} [{warning.code}]",
            file=stream,
        )


def _where(line: int) -> str:
    """Line 0 is no line: the message, not a command, caused it (a truncated header)."""
    return f"line {line}: " if line else ""


def _print_hierarchy(name: str, outcome: HierarchyResult, stream: TextIO, trace: bool) -> None:
    decided = (
        f"decided by the {outcome.decided_by} script" if outcome.decided_by else "no script decided"
    )
    print(f"{name}: {outcome.status}, {decided}", file=stream)
    for level in outcome.levels:
        print(f"  [{level.level}] {level.name}: {level.result.status}", file=stream)
        if trace:
            _print_trace(level.result, stream)
        _print_problems(level.result, stream, "    ")
    # The implicit keep takes the flags of the last script run, as `sieve serve` files it.
    last = outcome.levels[-1].result if outcome.levels else None
    flags = list(last.implicit_keep_flags) if last is not None else []
    _print_actions(outcome.actions, outcome.implicit_keep, flags, stream)
