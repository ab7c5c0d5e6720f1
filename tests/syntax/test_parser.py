"""The grammar of RFC 5228 §8.2, one rule at a time, and the Oracle Messaging Server dialect.

Each test is an example: a script and the tree it must become. Trees compare without their
spans (see `sieve.syntax.ast`), so spans are checked by their own tests.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import sieve
from sieve.syntax.ast import (
    Block,
    Callout,
    Command,
    Number,
    Script,
    String,
    StringList,
    Tag,
)
from sieve.syntax.ast import Test as SieveTest  # aliased so pytest does not collect them
from sieve.syntax.ast import TestList as SieveTestList

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def parse_clean(source: str | bytes, dialect: str = "standard") -> Script:
    result = sieve.parse(source, dialect=dialect)
    assert result.diagnostics == []
    assert result.script is not None
    return result.script


def commands(source: str, dialect: str = "standard") -> list[Command]:
    return parse_clean(source, dialect).commands


def where(node: object) -> tuple[int, int, int, int]:
    span = node.span  # type: ignore[attr-defined]
    return span.line, span.column, span.end_line, span.end_column


def snapshot(node: object) -> object:
    """A node as nested tuples, spans included as positions, for comparing parses exactly."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        fields = dataclasses.fields(node)
        return type(node).__name__, tuple((f.name, snapshot(getattr(node, f.name))) for f in fields)
    if all(hasattr(node, name) for name in ("line", "column", "end_line", "end_column")):
        return node.line, node.column, node.end_line, node.end_column  # type: ignore[attr-defined]
    if isinstance(node, list | tuple):
        return tuple(snapshot(item) for item in node)
    return node


def result_snapshot(result: sieve.ParseResult) -> object:
    return snapshot(result.script), snapshot(result.diagnostics)


# start = commands; commands = *command


@pytest.mark.parametrize("source", ["", " \n\t\r\n", "\n\n\n"])
def test_empty_script_has_no_commands(source: str) -> None:
    assert parse_clean(source) == Script([])


def test_comment_only_script_has_no_commands_but_keeps_comments() -> None:
    script = parse_clean("# just a note\n/* and another */\n")
    assert script.commands == []
    assert [c.text for c in script.comments] == ["# just a note", "/* and another */"]


def test_script_span_covers_the_whole_text() -> None:
    script = parse_clean("keep;\nstop;\n")
    assert (script.span.line, script.span.column) == (1, 1)
    assert (script.span.end_line, script.span.end_column) == (3, 1)


def test_commands_follow_each_other_in_order() -> None:
    assert commands("keep; stop;\ndiscard;") == [
        Command("keep"),
        Command("stop"),
        Command("discard"),
    ]


def test_str_and_bytes_parse_alike() -> None:
    source = 'if header :is "Subject" "Grüße" { fileinto "Büro"; }'
    assert parse_clean(source) == parse_clean(source.encode())


# command = identifier arguments (";" / block); argument = string-list / number / tag


def test_command_without_arguments() -> None:
    assert commands("keep;") == [Command("keep")]


def test_command_with_every_kind_of_argument() -> None:
    assert commands('vacation :days 7 :addresses ["a@x", "b@x"] "Away";') == [
        Command(
            "vacation",
            [
                Tag("days"),
                Number(7),
                Tag("addresses"),
                StringList([String("a@x"), String("b@x")]),
                String("Away"),
            ],
        )
    ]


def test_command_with_a_block_and_no_test() -> None:
    assert commands("else { keep; }") == [Command("else", block=Block([Command("keep")]))]


def test_command_with_empty_block() -> None:
    assert commands("if true {}") == [Command("if", test=SieveTest("true"), block=Block([]))]


def test_command_with_arguments_then_a_test() -> None:
    # RFC 5228 §8.2: arguments = *argument [ test / test-list ]
    assert commands('x "a" 1 y :b "c";') == [
        Command("x", [String("a"), Number(1)], SieveTest("y", [Tag("b"), String("c")]))
    ]


def test_command_with_a_test_list() -> None:
    assert commands("x (true, false);") == [
        Command("x", test=SieveTestList([SieveTest("true"), SieveTest("false")]))
    ]


def test_blocks_nest() -> None:
    script = "if true { if false { stop; } keep; }"
    assert commands(script) == [
        Command(
            "if",
            test=SieveTest("true"),
            block=Block(
                [
                    Command("if", test=SieveTest("false"), block=Block([Command("stop")])),
                    Command("keep"),
                ]
            ),
        )
    ]


# test = identifier arguments; test-list = "(" test *("," test) ")"


def test_test_with_arguments() -> None:
    [command] = commands('if header :contains ["From", "Sender"] "boss" { keep; }')
    assert command.test == SieveTest(
        "header",
        [Tag("contains"), StringList([String("From"), String("Sender")]), String("boss")],
    )


def test_test_list_of_several_tests() -> None:
    [command] = commands('if anyof (exists "X-Spam", size :over 1M, true) { discard; }')
    assert command.test == SieveTest(
        "anyof",
        test=SieveTestList(
            [
                SieveTest("exists", [String("X-Spam")]),
                SieveTest("size", [Tag("over"), Number(1024**2, "M")]),
                SieveTest("true"),
            ]
        ),
    )


def test_test_list_of_one_test_is_a_list_in_standard_grammar() -> None:
    [command] = commands("if (true) { keep; }")
    assert command.test == SieveTestList([SieveTest("true")])


def test_nested_not() -> None:
    [command] = commands('if not not exists "X" { keep; }')
    assert command.test == SieveTest(
        "not", test=SieveTest("not", test=SieveTest("exists", [String("X")]))
    )


def test_nested_test_lists() -> None:
    [command] = commands(
        'if allof (anyof (true, not false), not allof (exists "A", exists "B")) { stop; }'
    )
    assert command.test == SieveTest(
        "allof",
        test=SieveTestList(
            [
                SieveTest(
                    "anyof",
                    test=SieveTestList(
                        [SieveTest("true"), SieveTest("not", test=SieveTest("false"))]
                    ),
                ),
                SieveTest(
                    "not",
                    test=SieveTest(
                        "allof",
                        test=SieveTestList(
                            [SieveTest("exists", [String("A")]), SieveTest("exists", [String("B")])]
                        ),
                    ),
                ),
            ]
        ),
    )


def test_test_list_may_span_lines() -> None:
    [command] = commands("if anyof (\n  true,\n  false\n) {\n  keep;\n}\n")
    assert command.test == SieveTest(
        "anyof", test=SieveTestList([SieveTest("true"), SieveTest("false")])
    )


# string-list = "[" string *("," string) "]" / string


def test_string_list_of_one_string_stays_a_list() -> None:
    assert commands('fileinto ["A"];') == [Command("fileinto", [StringList([String("A")])])]


def test_lone_string_is_not_a_list() -> None:
    assert commands('fileinto "A";') == [Command("fileinto", [String("A")])]


def test_string_list_may_hold_multiline_strings() -> None:
    assert commands('x ["a", text:\nb\n.\n];') == [
        Command("x", [StringList([String("a"), String("b\n", multiline=True)])])
    ]


def test_string_list_may_span_lines() -> None:
    assert commands('x [\n  "a",\n  "b"\n];') == [
        Command("x", [StringList([String("a"), String("b")])])
    ]


# if / elsif / else (RFC 5228 §3.1): siblings in the tree, chained by the checker.


def test_if_elsif_else_chain_is_a_sequence_of_commands() -> None:
    source = textwrap.dedent(
        """\
        if header :is "X" "1" { fileinto "One"; }
        elsif header :is "X" "2" { fileinto "Two"; }
        elsif exists "Y" { stop; }
        else { keep; }
        """
    )
    assert [(c.name, c.test is not None) for c in commands(source)] == [
        ("if", True),
        ("elsif", True),
        ("elsif", True),
        ("else", False),
    ]
    assert commands(source)[1] == Command(
        "elsif",
        test=SieveTest("header", [Tag("is"), String("X"), String("2")]),
        block=Block([Command("fileinto", [String("Two")])]),
    )


def test_require_with_string_list() -> None:
    assert commands('require ["fileinto", "reject"];') == [
        Command("require", [StringList([String("fileinto"), String("reject")])])
    ]


# Spans of the grammar's nodes.


SPAN_SCRIPT = 'if anyof (true,\n  size :over 10K) {\n  fileinto ["A", "B"];\n}\n'


def test_span_of_command_covers_its_block() -> None:
    [command] = commands(SPAN_SCRIPT)
    assert where(command) == (1, 1, 4, 2)


def test_span_of_simple_command_includes_semicolon() -> None:
    [command] = commands(SPAN_SCRIPT)
    assert command.block is not None
    assert where(command.block.commands[0]) == (3, 3, 3, 23)


def test_span_of_test_and_test_list() -> None:
    [command] = commands(SPAN_SCRIPT)
    assert isinstance(command.test, SieveTest)
    assert where(command.test) == (1, 4, 2, 18)
    test_list = command.test.test
    assert isinstance(test_list, SieveTestList)
    assert where(test_list) == (1, 10, 2, 18)
    assert where(test_list.tests[0]) == (1, 11, 1, 15)
    assert where(test_list.tests[1]) == (2, 3, 2, 17)


def test_span_of_block_runs_from_brace_to_brace() -> None:
    [command] = commands(SPAN_SCRIPT)
    assert command.block is not None
    assert where(command.block) == (2, 19, 4, 2)


def test_span_of_string_list_runs_from_bracket_to_bracket() -> None:
    [command] = commands(SPAN_SCRIPT)
    assert command.block is not None
    string_list = command.block.commands[0].arguments[0]
    assert where(string_list) == (3, 12, 3, 22)


def test_span_of_test_without_arguments_is_its_name() -> None:
    [command] = commands("if true { keep; }")
    assert command.test is not None
    assert where(command.test) == (1, 4, 1, 8)


# The Oracle Messaging Server dialect.


def test_oracle_parenthesized_test() -> None:
    [command] = commands('if (header :matches "From" "*") { keep; }', dialect="oracle")
    assert command.test == SieveTest(
        "header", [Tag("matches"), String("From"), String("*")], parenthesized=True
    )
    assert where(command.test) == (1, 4, 1, 32)


def test_oracle_parenthesized_not() -> None:
    [command] = commands('if (not string :is "${R}" "") { keep; }', dialect="oracle")
    assert command.test == SieveTest(
        "not", test=SieveTest("string", [Tag("is"), String("${R}"), String("")]), parenthesized=True
    )


def test_oracle_callout_as_a_value() -> None:
    [command] = commands('set "RESULT" greylst("${IP}|${FROM}|uwc");', dialect="oracle")
    assert command == Command(
        "set", [String("RESULT"), Callout("greylst", String("${IP}|${FROM}|uwc"))]
    )
    assert where(command.arguments[1]) == (1, 14, 1, 42)


def test_oracle_callout_with_string_list_and_spaces() -> None:
    [command] = commands('set "R" greylst ( ["a", "b"] );', dialect="oracle")
    assert command.arguments[1] == Callout("greylst", StringList([String("a"), String("b")]))


def test_oracle_callout_as_a_test() -> None:
    [command] = commands('if limitauthspam "${A}|${B}" { reject "x"; }', dialect="oracle")
    assert command.test == SieveTest("limitauthspam", [String("${A}|${B}")])


def test_oracle_test_list_of_several_tests_is_still_a_list() -> None:
    [command] = commands("if anyof ((true), false) { keep; }", dialect="oracle")
    assert command.test == SieveTest(
        "anyof", test=SieveTestList([SieveTest("true", parenthesized=True), SieveTest("false")])
    )


def test_callout_is_a_syntax_error_in_standard_dialect() -> None:
    result = sieve.parse('set "RESULT" greylst("${IP}|${FROM}|uwc");\nkeep;\n')
    errors = [d for d in result.diagnostics if d.is_error]
    assert [(d.code, d.line, d.column) for d in errors] == [("unexpected-token", 1, 22)]
    assert "test" in errors[0].message
    # Recovery goes on after the broken command.
    assert result.script is not None
    assert result.script.commands == [Command("keep")]


@pytest.mark.parametrize(
    "path",
    sorted((CORPUS / "scripts" / "valid").glob("*.sieve"))
    + [CORPUS / "bench" / "filter-200.sieve"],
    ids=lambda p: p.name,
)
def test_oracle_dialect_reads_standard_scripts_alike(path: Path) -> None:
    source = path.read_bytes()
    assert parse_clean(source, dialect="oracle") == parse_clean(source)


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="oracle"):
        sieve.parse("keep;", dialect="pigeonhole")


# Parsing is safe to share between threads and leaves no files behind.


def _corpus_jobs() -> list[tuple[bytes, str]]:
    jobs: list[tuple[bytes, str]] = []
    for folder, dialect in [
        ("scripts/valid", "standard"),
        ("scripts/invalid", "standard"),
        ("scripts/oracle", "oracle"),
        ("oracle", "oracle"),
        ("bench", "standard"),
    ]:
        for path in sorted((CORPUS / folder).iterdir()):
            if path.suffix in (".sieve", ".filter"):
                jobs.append((path.read_bytes(), dialect))
    return jobs


def _parse_job(job: tuple[bytes, str]) -> object:
    source, dialect = job
    return result_snapshot(sieve.parse(source, dialect=dialect))


def test_concurrent_parses_match_sequential_ones() -> None:
    jobs = _corpus_jobs()
    expected = {index: _parse_job(job) for index, job in enumerate(jobs)}
    work = list(enumerate(jobs)) * 6  # a few hundred parses, interleaved
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda item: (item[0], _parse_job(item[1])), work))
    assert len(results) >= 300
    for index, got in results:
        assert got == expected[index], f"corpus script #{index} parsed differently in a thread"


_COLD_START_PROGRAM = """
import sys, threading
import sieve

sources = [("if anyof (true, (false)) { keep; }", "oracle"), ("if true { keep; }", "standard")]
barrier = threading.Barrier(8)
results = [None] * 8

def work(i):
    source, dialect = sources[i % 2]
    barrier.wait()
    results[i] = repr(sieve.parse(source, dialect=dialect).script)

threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
sequential = [repr(sieve.parse(s, dialect=d).script) for s, d in sources]
sys.exit(0 if all(results[i] == sequential[i % 2] for i in range(8)) else 1)
"""


def _run_fresh_python(program: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    package_root = Path(sieve.__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(package_root), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_first_parses_in_a_fresh_process_are_thread_safe(tmp_path: Path) -> None:
    # The parse tables are built lazily: eight threads racing for them must agree.
    completed = _run_fresh_python(_COLD_START_PROGRAM, tmp_path)
    assert completed.returncode == 0, completed.stderr


def test_parsing_writes_no_files(tmp_path: Path) -> None:
    program = (
        "import sieve\n"
        "for d in ('standard', 'oracle'):\n"
        "    sieve.parse('if (true) { keep }', dialect=d)\n"
        "    sieve.parse('require \"x\"; if anyof (true, false) { stop; }', dialect=d)\n"
    )
    completed = _run_fresh_python(program, tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert list(tmp_path.iterdir()) == []
    package = Path(sieve.__file__).resolve().parent
    generated = [
        path
        for pattern in ("parsetab*", "lextab*", "parser.out")
        for path in package.rglob(pattern)
    ]
    assert generated == []
