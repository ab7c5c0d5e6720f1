"""`sieve run SCRIPT MESSAGE...`: what the script does to each message, as a summary, as
the JSON document of `Result.to_dict()`, and with `--trace` line by line."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sieve.runtime.host import Envelope, MemoryHost
from sieve.runtime.limits import Limits
from sieve.runtime.result import SUCCESS, Result
from sieve.runtime.vm import describe

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
RUN_LIMITS = [
    f.name
    for f in dataclasses.fields(Limits)
    if f.name.startswith("max_") and f.name not in ("max_diagnostics",)
]


def add_parser(commands: Any, dialects: list[str], capability_list: Any) -> None:
    run = commands.add_parser(
        "run",
        help="run a script on messages and show what it does",
        description="Run a script on one or more messages and show the actions it takes.",
    )
    run.set_defaults(handler=command_run)
    run.add_argument("script", metavar="SCRIPT", help="a .sieve or .svbc file")
    run.add_argument("messages", nargs="+", metavar="MESSAGE", help="message files; - is stdin")
    run.add_argument("--from", dest="mail_from", default="", help="envelope sender (MAIL FROM)")
    run.add_argument("--to", dest="rcpt_to", default="", help="envelope recipient (RCPT TO)")
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
    run.add_argument("--format", choices=("text", "json"), default="text")
    run.add_argument("--trace", action="store_true", help="show each test and action")


def command_run(args: argparse.Namespace) -> int:
    from sieve.cli import print_diagnostics
    from sieve.compiler import BinaryError, CompiledScript, CompileError, compile_source
    from sieve.compiler.binary import MAGIC, from_bytes

    try:
        limits = _limits(args.limit)
        environment = _pairs(args.env, "--env")
        clock = _clock(args.now)
    except ValueError as error:
        print(f"sieve run: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        source = sys.stdin.buffer.read() if args.script == "-" else Path(args.script).read_bytes()
    except OSError as error:
        print(f"sieve: cannot read {args.script}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if source.startswith(MAGIC):
            script = CompiledScript(from_bytes(source), args.script, limits=limits)
        else:
            script = compile_source(
                source,
                name=args.script,
                extensions=args.extensions,
                limits=limits,
                dialect=args.dialect,
            )
    except BinaryError as error:
        print(f"sieve: {args.script}: {error}", file=sys.stderr)
        return EXIT_FINDINGS
    except CompileError as error:
        print_diagnostics(args.script, source, error.diagnostics, sys.stderr)
        return EXIT_FINDINGS
    folder = Path(args.scripts) if args.scripts else Path(args.script).resolve().parent
    envelope = Envelope(args.mail_from, args.rcpt_to, args.orig_to, args.auth)
    status = EXIT_CLEAN
    several = len(args.messages) > 1
    for name in args.messages:
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as error:
            print(f"sieve: cannot read {name}: {error.strerror or error}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        host = MemoryHost(clock=clock, script_dir=folder, items=dict(environment))
        result = script.run(data, envelope, environment=environment, host=host, trace=args.trace)
        if args.format == "json":
            if args.trace:
                _print_trace(result, sys.stderr)
            document = result.to_dict()
            print(json.dumps(document) if several else json.dumps(document, indent=2))
        else:
            _print_text(name, result, sys.stdout, args.trace)
        if result.status != SUCCESS and status == EXIT_CLEAN:
            status = EXIT_FINDINGS
    return status


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


def _clock(text: str | None) -> Any:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--now needs an ISO 8601 date and time, not {text!r}") from None
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return lambda: moment


def _print_trace(result: Result, stream: TextIO) -> None:
    for event in result.trace:
        indent = "  " * event.depth
        where = f"{event.script}:" if event.depth else ""
        print(f"{indent}{where}{event.line}: {event.kind}: {event.text}", file=stream)


def _print_text(name: str, result: Result, stream: TextIO, trace: bool) -> None:
    print(f"{name}: {result.status}", file=stream)
    if trace:
        _print_trace(result, stream)
    for action in result.actions:
        print(f"  {describe(action)}  (line {action.line})", file=stream)
    if result.implicit_keep:
        flags = (
            f" with flags {' '.join(result.implicit_keep_flags)}"
            if result.implicit_keep_flags
            else ""
        )
        print(f"  implicit keep{flags}", file=stream)
    for error in result.errors:
        print(f"  {result.status}: line {error.line}: {error.message} [{error.code}]", file=stream)
    for warning in result.warnings:
        print(f"  warning: line {warning.line}: {warning.message} [{warning.code}]", file=stream)
