"""The `sieve` command line: check, compile, dump, run, lint, test, fmt and highlight.

Exit status everywhere: 0 clean, 1 the script has findings (or would be reformatted),
2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sieve import __version__
from sieve.diagnostics import Diagnostic, render_json, render_text
from sieve.syntax import parse
from sieve.syntax.dialects import DIALECTS
from sieve.syntax.source import SourceMap, decode_script

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


@dataclass(slots=True)
class Input:
    """One script named on the command line, `-` being standard input."""

    name: str
    data: bytes


def read_input(name: str) -> Input | None:
    """Reads one named file (`-` is standard input, named `<stdin>`); None after saying on
    stderr why it cannot be read."""
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        print(f"sieve: cannot read {name}: {error.strerror or error}", file=sys.stderr)
        return None
    return Input("<stdin>" if name == "-" else name, data)


def read_inputs(names: Sequence[str]) -> tuple[list[Input], bool]:
    """Reads every named script; reports unreadable ones on stderr and says if any were."""
    inputs: list[Input] = []
    failed = False
    for name in names:
        item = read_input(name)
        if item is None:
            failed = True
        else:
            inputs.append(item)
    return inputs, failed


def is_binary(data: bytes) -> bool:
    """A compiled .svbc script (`sieve compile`), not Sieve source."""
    from sieve.compiler.binary import MAGIC

    return data.startswith(MAGIC)


def load_compiled(
    name: str,
    data: bytes,
    *,
    extensions: Any = None,
    dialect: str = "standard",
    limits: Any = None,
    callout_check: Any = None,
) -> Any:
    """The CompiledScript of a .svbc binary or of Sieve source, or None after saying on
    stderr why it cannot be had (a broken binary, or the source's diagnostics)."""
    from sieve.compiler import BinaryError, CompiledScript, CompileError, compile_source
    from sieve.compiler.binary import from_bytes

    try:
        if is_binary(data):
            return CompiledScript(from_bytes(data), name, limits=limits)
        return compile_source(
            data,
            name=name,
            extensions=extensions,
            limits=limits,
            dialect=dialect,
            callout_check=callout_check,
        )
    except BinaryError as error:
        print(f"sieve: {name}: {error}", file=sys.stderr)
        return None
    except CompileError as error:
        print_diagnostics(name, data, error.diagnostics, sys.stderr)
        return None


def terminal_painter(stream: object) -> Callable[[str], str] | None:
    """Colours source lines with our Pygments lexer when the stream is a terminal."""
    if not getattr(stream, "isatty", lambda: False)() or os.environ.get("NO_COLOR"):
        return None
    from pygments import highlight
    from pygments.formatters import TerminalFormatter

    from sieve.syntax.highlight_lexer import SieveLexer

    lexer, formatter = SieveLexer(), TerminalFormatter()
    return lambda line: highlight(line, lexer, formatter).rstrip("\n")


def print_diagnostics(
    name: str, data: bytes, diagnostics: list[Diagnostic], stream: object
) -> None:
    source = SourceMap(decode_script(data)[0])
    paint = terminal_painter(stream)
    for diagnostic in diagnostics:
        line = source.line_text(diagnostic.line) if diagnostic.line else None
        print(render_text(diagnostic, name, line, paint), file=stream)  # type: ignore[arg-type]


# sieve check


def command_check(args: argparse.Namespace) -> int:
    from sieve.check import check
    from sieve.extensions.registry import Registry
    from sieve.mapping.options import callout_check
    from sieve.mapping.tables import MappingError

    try:
        check_callouts = callout_check(args)
    except (ValueError, MappingError) as error:
        print(f"sieve check: {error}", file=sys.stderr)
        return EXIT_USAGE
    inputs, failed = read_inputs(args.files)
    found: list[tuple[str, Diagnostic]] = []
    for item in inputs:
        result = parse(item.data, dialect=args.dialect)
        diagnostics = result.diagnostics
        if result.ok and result.script is not None:
            # Meaning is checked only once the grammar is right: a broken parse would
            # only add echoes of its syntax errors.
            diagnostics = diagnostics + check(
                result.script, extensions=args.extensions, dialect=args.dialect
            )
            if check_callouts is not None:
                tests = frozenset(Registry.shared(args.extensions, args.dialect).tests)
                diagnostics = diagnostics + check_callouts(result.script, tests)
        if args.format == "text":
            print_diagnostics(item.name, item.data, diagnostics, sys.stdout)
        found.extend((item.name, d) for d in diagnostics)
    if args.format == "json":
        print(render_json(found))
    errors = sum(d.is_error for _, d in found)
    if args.format == "text" and errors:
        files = len({name for name, d in found if d.is_error})
        plural = "s" if errors != 1 else ""
        print(f"{errors} error{plural} in {files} file{'s' if files != 1 else ''}")
    if failed:
        return EXIT_USAGE
    return EXIT_FINDINGS if errors else EXIT_CLEAN


# sieve compile and sieve dump


def command_compile(args: argparse.Namespace) -> int:
    from sieve.compiler import CompileError, compile_source

    if len(args.files) != 1 and args.output:
        print("sieve compile: -o takes one input file", file=sys.stderr)
        return EXIT_USAGE
    inputs, failed = read_inputs(args.files)
    status = EXIT_USAGE if failed else EXIT_CLEAN
    for item in inputs:
        try:
            compiled = compile_source(
                item.data, name=item.name, extensions=args.extensions, dialect=args.dialect
            )
        except CompileError as error:
            print_diagnostics(item.name, item.data, error.diagnostics, sys.stderr)
            status = max(status, EXIT_FINDINGS)
            continue
        output = Path(args.output) if args.output else _svbc_path(item.name)
        try:
            output.write_bytes(compiled.to_bytes())
        except OSError as error:
            print(f"sieve: cannot write {output}: {error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
    return status


def _svbc_path(name: str) -> Path:
    path = Path("script.sieve" if name == "<stdin>" else name)
    return path.with_suffix(".svbc")


def command_dump(args: argparse.Namespace) -> int:
    from sieve.compiler import dump

    inputs, failed = read_inputs(args.files)
    status = EXIT_USAGE if failed else EXIT_CLEAN
    for item in inputs:
        compiled = load_compiled(
            item.name, item.data, extensions=args.extensions, dialect=args.dialect
        )
        if compiled is None:
            status = max(status, EXIT_FINDINGS)
            continue
        sys.stdout.write(dump(compiled.program))
    return status


# sieve fmt


def command_fmt(args: argparse.Namespace) -> int:
    from sieve.syntax.formatter import format_source

    if args.write and "-" in args.files:
        print("sieve fmt: --write cannot rewrite standard input", file=sys.stderr)
        return EXIT_USAGE
    inputs, failed = read_inputs(args.files)
    status = EXIT_CLEAN
    for item in inputs:
        result = format_source(item.data, dialect=args.dialect)
        if result.text is None:
            print_diagnostics(item.name, item.data, result.diagnostics, sys.stderr)
            status = EXIT_FINDINGS
            continue
        original = decode_script(item.data)[0]
        if args.check:
            if result.text != original:
                sys.stdout.writelines(
                    difflib.unified_diff(
                        original.splitlines(keepends=True),
                        result.text.splitlines(keepends=True),
                        f"{item.name} (original)",
                        f"{item.name} (formatted)",
                    )
                )
                status = EXIT_FINDINGS
        elif args.write:
            if result.text != original:
                write_atomically(Path(item.name), result.text)
                print(f"reformatted {item.name}", file=sys.stderr)
        else:
            sys.stdout.write(result.text)
    return EXIT_USAGE if failed else status


def write_atomically(path: Path, text: str) -> None:
    """Replaces the file in one rename, so a crash never leaves half a script behind."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# sieve highlight


def command_highlight(args: argparse.Namespace) -> int:
    from pygments import highlight
    from pygments.formatters import HtmlFormatter, TerminalFormatter

    from sieve.syntax.highlight_lexer import SieveLexer

    inputs, failed = read_inputs(args.files)
    for item in inputs:
        text = decode_script(item.data)[0]
        if args.html:
            formatter = HtmlFormatter(full=True, title=item.name, linenos="table")
        else:
            formatter = TerminalFormatter()
        sys.stdout.write(highlight(text, SieveLexer(), formatter))
    return EXIT_USAGE if failed else EXIT_CLEAN


# Wiring.


# Commands whose modules load only when the command line names them: a one-shot `sieve run`
# should not pay for importing the linter, the test runner and the mail service. Each module's
# `configure(parser, dialects, capability_list)` adds its options and handler.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("sieve.run_command", "run a script on messages and show what it does"),
    "lint": ("sieve.lint.command", "find abuse, loops, inefficiency and mistakes in scripts"),
    "test": ("sieve.testing.command", "run test files (*.sievetest.toml, *.svtest) and report"),
    "serve": ("sieve.serve.command", "run as an SMTP/LMTP content filter"),
}


def _command_named(argv: Sequence[str]) -> str | None:
    """The subcommand in argv: the first word that is not an option (the top level has only
    --help and --version, which take no value)."""
    return next((word for word in argv if not word.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line. Of the lazily loaded commands only the one that argv names gets
    its options; the others are listed with their one-line help, which is all `sieve --help`
    and an unknown command's error show."""
    parser = argparse.ArgumentParser(
        prog="sieve", description="Compile, lint and safely run Sieve mail filters."
    )
    parser.add_argument("--version", action="version", version=f"sieve {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, handler: Callable[[argparse.Namespace], int]) -> Any:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        sub.add_argument("files", nargs="+", metavar="FILE", help="script files; - is stdin")
        sub.add_argument(
            "--dialect",
            choices=sorted(DIALECTS),
            default="standard",
            help="grammar to accept (default: standard RFC 5228)",
        )
        return sub

    def extensions_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--extensions",
            type=_capability_list,
            default=None,
            metavar="LIST",
            help="the capabilities the server offers, comma-separated (default: all we know)",
        )

    check = add("check", "report every syntax and semantic error in the scripts", command_check)
    check.add_argument("--format", choices=("text", "json"), default="text")
    extensions_option(check)
    from sieve.mapping.options import add_mapping_options

    add_mapping_options(check, run=False)

    compile_ = add("compile", "compile scripts to .svbc programs", command_compile)
    compile_.add_argument("-o", "--output", help="where to write (default: FILE.svbc)")
    extensions_option(compile_)
    dump = add("dump", "list the program of a .sieve or .svbc file", command_dump)
    extensions_option(dump)

    fmt = add("fmt", "print the scripts in canonical layout", command_fmt)
    mode = fmt.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="exit 1 with a diff if a file would change"
    )
    mode.add_argument("--write", action="store_true", help="rewrite the files in place")

    chosen = _command_named(sys.argv[1:] if argv is None else argv)
    for name, (module_name, help_text) in LAZY_COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.configure(sub, sorted(DIALECTS), _capability_list)

    highlight = add("highlight", "print the scripts with syntax highlighting", command_highlight)
    highlight.add_argument("--html", action="store_true", help="a standalone HTML page")
    return parser


def _capability_list(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and EXIT_USAGE
    try:
        return args.handler(args)
    except BrokenPipeError:
        return EXIT_CLEAN
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
