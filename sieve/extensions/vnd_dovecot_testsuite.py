"""Dovecot Pigeonhole's testsuite language, `require "vnd.dovecot.testsuite";`: test files
(`.svtest`) that compile and run other scripts and check what they did.

Offered only in the "testsuite" dialect, so that no mail filter can use it: a filter must
not read files, compile scripts or print. `sieve.testing.svtest` runs a test file: it gives
every run a Host whose `suite` holds the state these commands act on (the current message
and envelope, the compiled script, the result, the mail store and the outgoing mail). Each
command here reads its arguments and asks the suite; the suite does the work.

Signatures follow Pigeonhole's testsuite; where it leaves a choice open, the choice is
documented in `sieve/testing/svtest.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    CommandSpec,
    Extension,
    Positional,
    Signature,
    Tag,
    TestSpec,
)
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

CAPABILITY = "vnd.dovecot.testsuite"
# The objects `test_set` may change: the message, and the envelope's parts.
OBJECTS = ("message", "envelope.from", "envelope.to", "envelope.orig_to", "envelope.auth")
# `test_message` reads either the outgoing mail or a mailbox, never both.
SOURCE = "message-source"

# test_message [:smtp | :folder <mailbox: string>] <index: number>: a command (the test
# fails when there is no such message) and a test (true when there is one).
_MESSAGE = Signature(
    (Positional("index", Arg.NUMBER),),
    tags=(Tag("smtp", group=SOURCE), Tag("folder", Arg.STRING, group=SOURCE, role="mailbox")),
    required_groups=(SOURCE,),
)
# test_error / test_result_action [MATCH-TYPE] [COMPARATOR] [:index number] <keys>.
_MATCHING = Signature(
    (Positional("key-list", Arg.STRING_LIST),),
    tags=(Tag("index", Arg.NUMBER),),
    groups=(COMPARATOR, MATCH_TYPE),
)

EXTENSION = Extension(
    capability=CAPABILITY,
    summary="Dovecot Pigeonhole's testsuite language (.svtest files only)",
    dialects=("testsuite",),
    commands=(
        # test <name: string> { ... }: one test case; the runner runs each block on its own.
        CommandSpec("test", Signature((Positional("name", Arg.STRING),)), block=True),
        CommandSpec("test_fail", Signature((Positional("reason", Arg.STRING),))),
        CommandSpec(
            "test_set",
            Signature(
                (
                    Positional("object", Arg.STRING, values=OBJECTS),
                    Positional("value", Arg.STRING),
                )
            ),
        ),
        CommandSpec(
            "test_config_set",
            Signature((Positional("setting", Arg.STRING), Positional("value", Arg.STRING))),
        ),
        CommandSpec("test_config_unset", Signature((Positional("setting", Arg.STRING),))),
        CommandSpec("test_config_reload", Signature(tags=(Tag("extension", Arg.STRING),))),
        CommandSpec("test_result_reset"),
        CommandSpec("test_result_print"),
        CommandSpec("test_message", _MESSAGE),
        CommandSpec("test_message_print"),
        CommandSpec(
            "test_mailbox_create", Signature((Positional("mailbox", Arg.STRING, role="mailbox"),))
        ),
        CommandSpec("test_binary_save", Signature((Positional("name", Arg.STRING),))),
        CommandSpec("test_binary_load", Signature((Positional("name", Arg.STRING),))),
    ),
    tests=(
        TestSpec("test_script_compile", Signature((Positional("path", Arg.STRING),))),
        TestSpec("test_script_run", Signature(tags=(Tag("append_result"),))),
        TestSpec("test_multiscript", Signature((Positional("paths", Arg.STRING_LIST),))),
        TestSpec("test_result_action", _MATCHING),
        TestSpec("test_result_execute"),
        TestSpec("test_error", _MATCHING),
        TestSpec("test_message", _MESSAGE),
    ),
)

BEHAVIOUR = Behaviour()


def _suite(run: Run) -> Any:
    """The test file's state (sieve.testing.svtest.Suite), which only the test runner's
    Host carries; anywhere else the testsuite commands stop the run."""
    suite = getattr(run.host, "suite", None)
    if suite is None:
        raise run.stop(
            "testsuite-only", "the testsuite commands only work in a test file (sieve test)"
        )
    return suite


@BEHAVIOUR.command("test")
def test(run: Run, args: Args) -> None:
    """The runner splits a file into its test blocks and never runs this call; were it run
    (a program compiled by hand), it does nothing and the block runs as plain commands."""


@BEHAVIOUR.command("test_fail")
def test_fail(run: Run, args: Args) -> None:
    raise _suite(run).failure(run.string(args.positional(0)))


@BEHAVIOUR.command("test_set")
def test_set(run: Run, args: Args) -> None:
    suite = _suite(run)
    target = run.string(args.positional(0)).lower()
    value = run.string(args.positional(1))
    if target == "message":
        suite.set_message(value)
    elif target.startswith("envelope.") and target in OBJECTS:
        suite.set_envelope(target.removeprefix("envelope."), value)
    else:
        raise suite.failure(f"test_set: unknown testsuite object {target!r}")
    suite.attach(run)


@BEHAVIOUR.command("test_config_set")
def test_config_set(run: Run, args: Args) -> None:
    _suite(run).config_set(run.string(args.positional(0)), run.string(args.positional(1)))


@BEHAVIOUR.command("test_config_unset")
def test_config_unset(run: Run, args: Args) -> None:
    _suite(run).config_unset(run.string(args.positional(0)))


@BEHAVIOUR.command("test_config_reload")
def test_config_reload(run: Run, args: Args) -> None:
    suite = _suite(run)
    extension = run.string(args.tag("extension")) if args.has("extension") else None
    problem = suite.config_reload(extension)
    if problem:
        raise suite.failure(f"test_config_reload: {problem}")


@BEHAVIOUR.command("test_result_reset")
def test_result_reset(run: Run, args: Args) -> None:
    suite = _suite(run)
    suite.reset_result()
    suite.attach(run)


@BEHAVIOUR.command("test_result_print")
def test_result_print(run: Run, args: Args) -> None:
    _suite(run).print_result()


@BEHAVIOUR.command("test_message_print")
def test_message_print(run: Run, args: Args) -> None:
    _suite(run).print_message()


@BEHAVIOUR.command("test_mailbox_create")
def test_mailbox_create(run: Run, args: Args) -> None:
    _suite(run).create_mailbox(run.string(args.positional(0)))


@BEHAVIOUR.command("test_binary_save")
def test_binary_save(run: Run, args: Args) -> None:
    suite = _suite(run)
    problem = suite.save_binary(run.string(args.positional(0)))
    if problem:
        raise suite.failure(f"test_binary_save: {problem}")


@BEHAVIOUR.command("test_binary_load")
def test_binary_load(run: Run, args: Args) -> None:
    suite = _suite(run)
    problem = suite.load_binary(run.string(args.positional(0)))
    if problem:
        raise suite.failure(f"test_binary_load: {problem}")


@BEHAVIOUR.command("test_message")
def test_message_command(run: Run, args: Args) -> None:
    suite = _suite(run)
    if not _select_message(run, args, suite):
        raise suite.failure(_missing_message(run, args))


@BEHAVIOUR.test("test_message")
def test_message(run: Run, args: Args) -> bool:
    return _select_message(run, args, _suite(run))


def _select_message(run: Run, args: Args, suite: Any) -> bool:
    index = run.number(args.positional(0))
    if args.has("folder"):
        found = suite.select_stored(run.string(args.tag("folder")), index)
    else:
        found = suite.select_sent(index)
    suite.attach(run)
    return bool(found)


def _missing_message(run: Run, args: Args) -> str:
    index = run.number(args.positional(0))
    if args.has("folder"):
        return f"no message in folder {run.string(args.tag('folder'))!r} with index {index}"
    return f"no outgoing SMTP message with index {index}"


# Compiling and running take far longer than a step of the test file: each is followed by
# a look at the test file's own CPU and step limits, so a block doing many cannot run on.


@BEHAVIOUR.test("test_script_compile")
def test_script_compile(run: Run, args: Args) -> bool:
    compiled = _suite(run).compile_script(run.string(args.positional(0)))
    run.check()
    return bool(compiled)


@BEHAVIOUR.test("test_script_run")
def test_script_run(run: Run, args: Args) -> bool:
    suite = _suite(run)
    ran = suite.run_script(append=args.has("append_result"))
    suite.attach(run)
    run.check()
    return bool(ran)


@BEHAVIOUR.test("test_multiscript")
def test_multiscript(run: Run, args: Args) -> bool:
    suite = _suite(run)
    ran = suite.multiscript(run.strings(args.positional(0)))
    suite.attach(run)
    run.check()
    return bool(ran)


@BEHAVIOUR.test("test_result_execute")
def test_result_execute(run: Run, args: Args) -> bool:
    suite = _suite(run)
    executed = suite.execute()
    suite.attach(run)
    run.check()
    return bool(executed)


@BEHAVIOUR.test("test_result_action")
def test_result_action(run: Run, args: Args) -> bool:
    # Pigeonhole: `:index N` looks at the Nth action (from 1) only, else at every action.
    names = _suite(run).action_names(_index(run, args), counting=args.has("count"))
    return run.match(args, names, args.positional(0))


@BEHAVIOUR.test("test_error")
def test_error(run: Run, args: Args) -> bool:
    # Pigeonhole: the errors of the last compile, run or execution, `:index N` the Nth one.
    messages = _suite(run).error_messages(_index(run, args))
    return run.match(args, messages, args.positional(0))


def _index(run: Run, args: Args) -> int:
    return run.number(args.tag("index")) if args.has("index") else 0
