"""`sieve lint`: the command line over the lint engine. Loaded by sieve/cli.py, which
calls `configure`, only when the command line says `sieve lint`."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sieve.cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, read_inputs
from sieve.lint.config import AUTO, ConfigError, LintConfig, load_config
from sieve.lint.engine import lint
from sieve.lint.finding import SEVERITY_RANK, Finding
from sieve.lint.fix import fix_source
from sieve.lint.output import (
    FORMATS,
    Report,
    render_github_report,
    render_json_report,
    render_sarif_report,
    render_text_report,
)
from sieve.lint.rules import all_rules
from sieve.syntax import parse
from sieve.syntax.ast import Script
from sieve.syntax.source import decode_script

# The file names a directory walk picks up: Sieve scripts and Oracle channel filters.
SCRIPT_SUFFIXES = (".sieve", ".siv", ".filter")


def configure(lint_: argparse.ArgumentParser, dialects: list[str], capability_list: Any) -> None:
    """Adds `sieve lint`'s options to the parser that sieve/cli.py made for it."""
    lint_.description = (
        "Find amplification, mail loops, backscatter, inefficient tests and "
        "mistakes that compile, in Sieve scripts and directories of them."
    )
    lint_.set_defaults(handler=command_lint)
    lint_.add_argument(
        "files",
        nargs="*",
        metavar="PATH",
        help="scripts or directories (searched for *.sieve, *.siv, *.filter); - is stdin",
    )
    lint_.add_argument("--format", choices=FORMATS, default="text")
    lint_.add_argument(
        "--fail-on",
        choices=tuple(SEVERITY_RANK),
        default=None,
        help="exit 1 when a finding is at least this severe (default: warning)",
    )
    lint_.add_argument("--select", default=None, metavar="CODES", help="run only these rules")
    lint_.add_argument("--ignore", default=None, metavar="CODES", help="skip these rules")
    lint_.add_argument(
        "--extensions",
        type=capability_list,
        default=None,
        metavar="LIST",
        help="the capabilities the server offers, comma-separated (default: all we know)",
    )
    lint_.add_argument(
        "--dialect",
        choices=[AUTO, *dialects],
        default=None,
        help="grammar to read scripts in (default: auto, the first that compiles)",
    )
    for name, what in (
        ("max-notifys", "notifications per message (Oracle's MAX_NOTIFYS)"),
        ("max-redirects", "redirects per message"),
        ("max-actions", "actions per message"),
        ("max-vacations", "vacation replies per message"),
        ("max-mime-parts", "MIME parts a foreverypart loop may visit"),
    ):
        lint_.add_argument(f"--{name}", type=int, default=None, metavar="N", help=what)
    lint_.add_argument("--config", default=None, metavar="FILE", help="settings file to use")
    mode = lint_.add_mutually_exclusive_group()
    mode.add_argument("--fix", action="store_true", help="apply the safe fixes in place")
    mode.add_argument(
        "--diff",
        action="store_true",
        help="print the safe fixes as a diff, writing nothing; exit 1 if there are any",
    )
    mode.add_argument("--explain", metavar="CODE", help="print the documentation of a rule")
    mode.add_argument("--list-rules", action="store_true", help="list every rule")


def command_lint(args: argparse.Namespace) -> int:
    if args.explain:
        return _explain(args.explain)
    if args.list_rules:
        return _list_rules()
    if not args.files:
        print("sieve lint: name scripts or directories to lint", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = _config(args)
    except ConfigError as error:
        print(f"sieve lint: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.fix and "-" in args.files:
        print("sieve lint: --fix cannot rewrite standard input", file=sys.stderr)
        return EXIT_USAGE
    inputs, failed = read_inputs(_expand(args.files))
    reports = [_lint_one(item.name, item.data, config, args) for item in inputs]
    if failed:
        return EXIT_USAGE
    if args.diff:
        # Like `sieve fmt --check`: only the diff is printed, and a pending fix fails.
        return EXIT_FINDINGS if any(r.changed for r in reports) else EXIT_CLEAN
    _print(reports, args.format, config)
    worst = any(f.at_least(config.fail_on) for r in reports for f in r.findings)
    return EXIT_FINDINGS if worst else EXIT_CLEAN


def _config(args: argparse.Namespace) -> LintConfig:
    overrides = {
        "select": args.select,
        "ignore": args.ignore,
        "extensions": args.extensions,
        "dialect": args.dialect,
        "fail_on": args.fail_on,
        "max_notifys": args.max_notifys,
        "max_redirects": args.max_redirects,
        "max_actions": args.max_actions,
        "max_vacations": args.max_vacations,
        "max_mime_parts": args.max_mime_parts,
    }
    start = Path(args.files[0]) if args.files[0] != "-" else Path.cwd()
    config_file = Path(args.config) if args.config else None
    return load_config(start, overrides, config_file)


def _lint_one(name: str, data: bytes, config: LintConfig, args: argparse.Namespace) -> Report:
    source = decode_script(data)[0]
    resolver = _include_resolver(name, config)
    if not (args.fix or args.diff):
        return Report(name, source, lint(source, name, config, resolve_include=resolver))

    def run(text: str, file: str, settings: LintConfig) -> list[Finding]:
        return lint(text, file, settings, resolve_include=resolver)

    result = fix_source(source, name, config, linter=run)
    changed = result.text != source
    if args.diff and changed:
        sys.stdout.writelines(
            difflib.unified_diff(
                source.splitlines(keepends=True),
                result.text.splitlines(keepends=True),
                f"{name} (original)",
                f"{name} (fixed)",
            )
        )
    elif args.fix and changed:
        from sieve.cli import write_atomically

        write_atomically(Path(name), result.text)
        print(f"fixed {len(result.fixed)} finding(s) in {name}", file=sys.stderr)
    return Report(name, result.text if args.fix else source, result.remaining, changed)


def _print(reports: list[Report], format_: str, config: LintConfig) -> None:
    if format_ == "json":
        print(render_json_report(reports))
    elif format_ == "sarif":
        rules = {code: rule for code, rule in all_rules().items() if config.enabled(code)}
        print(render_sarif_report(reports, rules))
    elif format_ == "github":
        sys.stdout.write(render_github_report(reports))
    else:
        from sieve.cli import terminal_painter

        sys.stdout.write(render_text_report(reports, terminal_painter(sys.stdout)))


def _expand(names: Sequence[str]) -> list[str]:
    """The names given, each directory replaced by the scripts found under it."""
    found: list[str] = []
    for name in names:
        path = Path(name)
        if name == "-":
            found.append(name)
        elif path.is_dir():
            found.extend(str(item) for item in sorted(find_scripts(path)))
        else:
            found.append(str(path))
    return found


def find_scripts(directory: Path) -> Iterator[Path]:
    """Every *.sieve, *.siv and *.filter file under `directory`, skipping hidden folders."""
    for root, folders, files in os.walk(directory):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for file in sorted(files):
            if file.endswith(SCRIPT_SUFFIXES):
                yield Path(root) / file


def _include_resolver(name: str, config: LintConfig):  # type: ignore[no-untyped-def]
    """Finds an included script next to the including one (`include "x"` → x or x.sieve),
    so the control-flow graph can follow it; names with a path are never followed."""
    folder = Path(name).parent if name != "<stdin>" else None

    def resolve(script_name: str, global_: bool) -> Script | None:
        if folder is None or "/" in script_name or "\\" in script_name or ".." in script_name:
            return None
        for candidate in (folder / script_name, folder / f"{script_name}.sieve"):
            if candidate.is_file():
                dialect = "standard" if config.dialect == AUTO else config.dialect
                try:
                    parsed = parse(candidate.read_bytes(), dialect=dialect)
                except OSError:
                    return None
                return parsed.script if parsed.ok else None
        return None

    return resolve


def _explain(code: str) -> int:
    rule = all_rules().get(code)
    if rule is None:
        close = difflib.get_close_matches(code, list(all_rules()), n=1)
        hint = f"; did you mean {close[0]}?" if close else "; see sieve lint --list-rules"
        print(f"sieve lint: no rule {code!r}{hint}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(rule.explanation())
    return EXIT_CLEAN


def _list_rules() -> int:
    rules = all_rules()
    width = max(len(code) for code in rules)
    for code, rule in rules.items():
        fix = "fix" if rule.fixable else "   "
        print(f"{code:<{width}}  {rule.severity:<7}  {fix}  {rule.summary()}")
    return EXIT_CLEAN
