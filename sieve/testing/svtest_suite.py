"""The state one testsuite file acts on, and what each testsuite command does to it. The
extension module (sieve/extensions/vnd_dovecot_testsuite.py) reads a command's arguments
and calls the Suite, which it finds on the Host of the test file's runs (`SuiteHost`).

As in Pigeonhole, the state lasts for the whole file: the message and envelope (which
both the test file and the scripts under test see), the compiled script, the result (the
last run's actions, and actions the test file performs itself), the mail store and the
outgoing mail, the errors of the last compile, run or execution, saved binaries and
settings. Replacing or resetting the result also empties the outgoing mail and the
mailboxes' messages (the mailboxes stay), so that `test_message :smtp 0` in a test means
"the first message this result sent"."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

import sieve
from sieve.compiler import BinaryError, CompiledScript, CompileError, from_bytes
from sieve.extensions.registry import all_extensions
from sieve.extensions.vacation import bare_path
from sieve.runtime import actions as act
from sieve.runtime.host import Envelope, MemoryHost
from sieve.runtime.message import Message
from sieve.runtime.result import SUCCESS, Result
from sieve.runtime.vm import Run, describe
from sieve.testing.svtest_delivery import MailStore, deliver
from sieve.testing.svtest_settings import Config, configure

DEFAULT_MESSAGE = (
    "From: sender@example.com\n"
    "To: recipient@example.org\n"
    "Subject: Testsuite message\n"
    "\n"
    "The message a test file starts with.\n"
)
MAX_BINARIES = 64
# What test_result_print and test_message_print may write for one file.
MAX_PRINTED = 1024 * 1024


class CaseFailure(Exception):
    """Ends the current test block as failed (`test_fail`, or a failing testsuite command)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class SuiteHost(MemoryHost):
    """The Host of the test file's own runs: the testsuite commands find the suite here,
    and `mailboxexists` sees the suite's mail store."""

    suite: Suite | None = None

    def mailbox_exists(self, mailbox: str) -> bool:
        return self.suite is not None and self.suite.store.exists(mailbox)


class Suite:
    """What the testsuite commands of one file act on."""

    def __init__(self, directory: Path, output: TextIO) -> None:
        self.directory = directory
        self.output = output
        self.printed = 0
        self.message = Message.parse(DEFAULT_MESSAGE)
        self.envelope = envelope_of(self.message)
        self.file_host = SuiteHost(suite=self)
        self.store = MailStore()
        # The result: the last run's actions, merged with appended runs and the actions
        # of the test file itself; the message as the run left it; how far it executed.
        self.actions: list[act.Action] = []
        self.action_keys: dict[tuple[Any, ...], act.Action] = {}
        self.result_message: Message | None = None
        self.performed = 0
        self.kept = False
        self.compiled: CompiledScript | None = None
        self.errors: list[str] = []
        self.binaries: dict[str, bytes] = {}
        self.pending: dict[str, str] = {}
        self.config: Config = configure({}, self._existing, self.store.mailboxes.keys())

    def failure(self, reason: str) -> CaseFailure:
        return CaseFailure(reason)

    def attach(self, run: Run) -> None:
        """Points a run of the test file at the suite's message, envelope and result, so
        the file's own tests read what the suite holds and its actions join the result."""
        if run.message is not self.message:
            run.message = self.message
            run.edited = False
        run.envelope = self.envelope
        run.actions = self.actions
        run.action_keys = self.action_keys

    # The message and the envelope.

    def set_message(self, text: str | bytes) -> None:
        limits = self.config.limits
        self.message = Message.parse(
            text, max_header_bytes=limits.max_header_bytes, max_parts=limits.max_mime_parts
        )
        self.envelope = envelope_of(self.message)

    def set_envelope(self, part: str, value: str) -> None:
        # An envelope address as given, without the angle brackets SMTP writes around it.
        if part == "from":
            self.envelope = replace(self.envelope, mail_from=bare_path(value))
        elif part == "to":
            # As in Pigeonhole, a new recipient is also the original recipient.
            address = bare_path(value)
            self.envelope = replace(self.envelope, rcpt_to=address, orig_to=address)
        elif part == "orig_to":
            self.envelope = replace(self.envelope, orig_to=bare_path(value))
        elif part == "auth":
            self.envelope = replace(self.envelope, auth=value or None)

    def select_sent(self, index: int) -> bool:
        """test_message :smtp: the sent message becomes the message, with its envelope."""
        sent = self.store.sent(index)
        if sent is None:
            return False
        self.set_message(sent.data)
        self.envelope = replace(self.envelope, mail_from=sent.sender, rcpt_to=sent.recipient)
        return True

    def select_stored(self, mailbox: str, index: int) -> bool:
        data = self.store.stored(mailbox, index)
        if data is None:
            return False
        self.set_message(data)
        return True

    # Compiling and running scripts.

    def compile_script(self, path: str) -> bool:
        self.errors = []
        compiled = self._compile(path)
        if compiled is not None:
            self.compiled = compiled
        return compiled is not None

    def _compile(self, path: str) -> CompiledScript | None:
        source = self._read(path, self.config.limits.max_script_size)
        if source is None:
            return None
        # RFC 6609: a script's personal includes are found next to it.
        self.config.host.script_dir = (self.directory / path).parent
        try:
            return sieve.compile(
                source,
                name=path,
                extensions=self.config.extensions,
                limits=self.config.limits,
                dialect=self.config.dialect,
            )
        except CompileError as error:
            self.errors += [d.message for d in error.diagnostics if d.is_error]
            return None

    def run_script(self, append: bool) -> bool:
        if self.compiled is None:
            self.errors = ["testsuite: trying to run a script, but no script is compiled"]
            return False
        if not append:
            self.reset_result()
        self.errors = []
        result = self._run(self.compiled, self.message)
        self._take(result.actions, result)
        return result.status == SUCCESS

    def multiscript(self, paths: Sequence[str]) -> bool:
        """Pigeonhole's sieve_before/sieve_after chain: each script runs while the one
        before kept the message (explicitly or implicitly); the last one run decides the
        delivery; the combined result is executed."""
        self.reset_result()
        self.errors = []
        message = self.message
        for number, path in enumerate(paths):
            compiled = self._compile(path)
            if compiled is None:
                return False
            result = self._run(compiled, message)
            if result.status != SUCCESS:
                # RFC 5228 §2.10.6: a failed script leaves the implicit keep in force.
                self._take([], result)
                self._execute_after_run()
                return False
            message = result.message if result.message is not None else message
            kept = result.implicit_keep or any(isinstance(a, act.Keep) for a in result.actions)
            last = number == len(paths) - 1 or not kept
            # A keep before the last script only lets the next one run.
            taken = result.actions if last else [a for a in result.actions if not _keep(a)]
            self._take(taken, result)
            if last:
                break
        return self._execute_after_run()

    def _execute_after_run(self) -> bool:
        """Executes the result, keeping the run's errors before the execution's."""
        errors = self.errors
        executed = self.execute()
        self.errors = errors + self.errors
        return executed

    def _run(self, compiled: CompiledScript, message: Message) -> Result:
        result = compiled.run(
            message, self.envelope, host=self.config.host, limits=self.config.limits
        )
        self.errors += [error.message for error in result.errors]
        return result

    def _take(self, actions: Iterable[act.Action], result: Result) -> None:
        """Adds a run's actions to the result; duplicates merge, as within one run."""
        for action in actions:
            key = action.key()
            if key is not None and act.merge_duplicate(self.actions, self.action_keys, key, action):
                continue
            self.actions.append(action)
            if key is not None:
                self.action_keys[key] = action
        if result.message is not None:
            self.result_message = result.message

    def reset_result(self) -> None:
        self.actions = []
        self.action_keys = {}
        self.result_message = None
        self.performed = 0
        self.kept = False
        self.store.empty()

    # Executing the result.

    def execute(self) -> bool:
        """Delivers the actions not executed yet, then the implicit keep; False when a
        delivery failed. A message that could not be filed goes to INBOX instead, as a
        delivery agent does."""
        self.errors = []
        message = self.result_message if self.result_message is not None else self.message
        data = message.as_bytes()
        fallback = False
        for action in self.actions[self.performed :]:
            problem = deliver(self.store, action, data, self.envelope, self.message)
            if problem:
                self.errors.append(problem)
                fallback = fallback or isinstance(action, act.FileInto)
        self.performed = len(self.actions)
        # RFC 5228 §2.10.2: the implicit keep stays unless an action cancelled it.
        keep = not act.cancels_implicit_keep(self.actions) or fallback
        if keep and not self.kept:
            self.kept = True
            problem = self.store.store("INBOX", data)
            if problem:
                self.errors.append(problem)
        return not self.errors

    def create_mailbox(self, name: str) -> None:
        self.store.create(name)

    # Inspecting the result.

    def action_names(self, index: int, counting: bool = False) -> list[str]:
        """The names test_result_action compares: each action's type, and also "store"
        for a fileinto (Pigeonhole's name), unless counting, which counts actions."""
        chosen = self.actions if index <= 0 else self.actions[index - 1 : index]
        names = []
        for action in chosen:
            names.append(action.type)
            if isinstance(action, act.FileInto) and not counting:
                names.append("store")
        return names

    def error_messages(self, index: int) -> list[str]:
        return self.errors if index <= 0 else self.errors[index - 1 : index]

    def print_result(self) -> None:
        keep = not act.cancels_implicit_keep(self.actions)
        lines = [f"--- result: {len(self.actions)} action(s), implicit keep: {_yes(keep)}"]
        lines += [f"{n:3}. {describe(a)}" for n, a in enumerate(self.actions, 1)]
        self._print("\n".join(lines) + "\n---\n")

    def print_message(self) -> None:
        text = self.message.as_bytes().decode("utf-8", "replace")
        self._print(f"--- message:\n{text}\n--- end of message\n")

    def _print(self, text: str) -> None:
        room = MAX_PRINTED - self.printed
        if room <= 0:
            return
        if len(text) > room:
            text = text[:room] + "\n… (the rest of this file's printing is cut)\n"
        self.printed += len(text)
        self.output.write(text)

    # Binaries.

    def save_binary(self, name: str) -> str | None:
        if self.compiled is None:
            return "no script is compiled"
        if name not in self.binaries and len(self.binaries) >= MAX_BINARIES:
            return f"no room for more than {MAX_BINARIES} saved binaries"
        self.binaries[name] = self.compiled.to_bytes()
        return None

    def load_binary(self, name: str) -> str | None:
        data = self.binaries.get(name)
        if data is None:
            return f"no binary was saved as {name!r}"
        try:
            program = from_bytes(data)
        except BinaryError as error:
            return f"the binary {name!r} is invalid: {error}"
        self.compiled = CompiledScript(program, program.name, [], self.config.limits)
        return None

    # Settings.

    def config_set(self, setting: str, value: str) -> None:
        self.pending[setting] = value

    def config_unset(self, setting: str) -> None:
        self.pending.pop(setting, None)

    def config_reload(self, extension: str | None) -> str | None:
        """Puts the pending settings in force (Pigeonhole reloads one extension's; here
        `extension` only has to name one); returns why they cannot be."""
        if extension is not None and extension not in all_extensions():
            return f"unknown extension {extension!r}"
        try:
            self.config = configure(dict(self.pending), self._existing, self.store.mailboxes.keys())
        except ValueError as error:
            return str(error)
        return None

    # Files next to the test file.

    def _path(self, relative: str) -> Path:
        if "\0" in relative or Path(relative).is_absolute():
            raise ValueError(f"{relative!r}: paths are relative to the test file")
        return self.directory / relative

    def _existing(self, relative: str) -> Path:
        path = self._path(relative)
        if not path.is_file():
            raise ValueError(f"{relative!r} is not a file next to the test file")
        return path

    def _read(self, relative: str, limit: int) -> bytes | None:
        """A file next to the test file, or None with the reason in `errors`. Only
        regular files: reading a FIFO or a device could wait or run forever."""
        try:
            with self._existing(relative).open("rb") as stream:
                data = stream.read(limit + 1)
        except ValueError as error:
            self.errors.append(str(error))
            return None
        except OSError as error:
            self.errors.append(f"cannot read {relative!r}: {error.strerror or error}")
            return None
        if len(data) > limit:
            self.errors.append(f"{relative!r} is longer than {limit} bytes")
            return None
        return data


def envelope_of(message: Message) -> Envelope:
    """Pigeonhole's reading of a new message's envelope: the recipient from Envelope-To or
    To, the sender from Return-Path, Sender or From."""
    recipient = _first_address(message, ("envelope-to", "to")) or "recipient@example.org"
    sender = _first_address(message, ("return-path", "sender", "from")) or "sender@example.com"
    return Envelope(mail_from=sender, rcpt_to=recipient, orig_to=recipient)


def _first_address(message: Message, fields: Sequence[str]) -> str | None:
    for name in fields:
        for address in message.addresses(name):
            if address.valid and address.domain:
                return address.all
    return None


def _keep(action: act.Action) -> bool:
    return isinstance(action, act.Keep)


def _yes(value: bool) -> str:
    return "yes" if value else "no"
