"""Syntax error recovery: say in words what was expected and what was found, repair the
common mistakes (a missing ';', ',', ']', ')' or '}') by inserting the token, drop a stray
'}', and otherwise skip to the next ';' or '}' so that one run reports every error."""

from __future__ import annotations

from typing import Any

from sieve.syntax.context import LexContext
from sieve.syntax.lexer import PUNCTUATION_TOKENS, Inserted, Tokens

_ARGUMENT_TOKENS = {"TAG", "NUMBER", "STRING", "MULTILINE", "STRING_LIST", "LBRACKET", "CALLOUT"}
_MEANINGS = {
    "TAG": "a tag",
    "NUMBER": "a number",
    "STRING": "a string",
    "MULTILINE": "a string",
    "STRING_LIST": "a string list",
    "CALLOUT": "a mapping callout",
    "$end": "the end of the script",
}
# Tokens that are simply dropped when the parse goes on without them.
_DELETABLE = {
    "SEMICOLON": (
        "extra-semicolon",
        "expected a command, found ';'",
        "an empty command is not allowed: remove the extra ';'",
    ),
    "RPAREN": (
        "unbalanced-paren",
        "unbalanced ')': no test list is open here",
        "remove this ')', or look for a '(' that is missing",
    ),
    "RBRACKET": (
        "unbalanced-bracket",
        "unbalanced ']': no string list is open here",
        "remove this ']', or look for a '[' that is missing",
    ),
}
# A parse that keeps failing at one token is abandoned rather than allowed to loop.
_MAX_ERRORS_AT_ONE_TOKEN = 4


class Recovery:
    """Handles the syntax errors of one parse. `states` and `values` are the driver's stacks,
    changed in place; the symbols on the stack are read from the states."""

    def __init__(self, tables: Any, tokens: Tokens, ctx: LexContext) -> None:
        self.tables = tables
        self.tokens = tokens
        self.ctx = ctx
        self.tried: set[tuple[int, str]] = set()
        self.errors_at: dict[int, int] = {}
        self.states: list[int] = []

    def recover(self, found: int, states: list[int], values: list[Any]) -> int | None:
        """The index of the token to go on with, or None to give up. `found` is the index
        of the token the parser could not take."""
        kind = self.tokens.types[found]
        if (kind == "$end" and self.ctx.truncated) or self.ctx.overflowed:
            return None  # an unterminated string already explains the end, or enough said
        position = self.tokens.start_of(found)
        count = self.errors_at.get(position, 0) + 1
        self.errors_at[position] = count
        if count > _MAX_ERRORS_AT_ONE_TOKEN:
            return None
        expected = set(self.tables.action[states[-1]])
        symbols = [self.tables.entered_by[state] for state in states]
        self.states = states
        repaired = self._repair(found, expected, symbols, values)
        if repaired is not None:
            return repaired
        self._report_unexpected(found, expected, symbols, values)
        return self._skip_command(found, symbols, states, values)

    # Repairs: insert the token a person most likely forgot, or drop a stray '}'.

    def _repair(
        self, found: int, expected: set[str], symbols: list[str], values: list[Any]
    ) -> int | None:
        kind = self.tokens.types[found]
        at = self._previous_end(found)
        new_line = kind == "$end" or self._line(self.tokens.start_of(found)) > self._line(at)
        if "SEMICOLON" in expected and (kind in ("RBRACE", "$end") or new_line):
            name = self._command_name(symbols, values)
            return self._insert(
                found,
                "SEMICOLON",
                "missing-semicolon",
                f"expected ';' after the command '{name}', found {self._describe(found)}",
                f"every command ends with ';' or a block in braces: add ';' after '{name}' "
                "and its arguments",
            )
        if "COMMA" in expected and kind in ("STRING", "MULTILINE"):
            return self._insert(
                found,
                "COMMA",
                "missing-comma",
                f"expected ',' between the strings of a list, found {self._describe(found)}",
                'separate the strings with commas: ["a", "b"]',
            )
        if "RBRACKET" in expected:
            opened = self._where(self._opener(symbols, values, "LBRACKET"))
            if kind in ("RPAREN", "RBRACE") and self._replacing_is_better(found, "RBRACKET"):
                return self._replace(
                    found,
                    "RBRACKET",
                    "missing-bracket",
                    f"expected ',' or ']' in the string list opened {opened}, "
                    f"found {self._describe(found)}",
                    f"close the string list with ']' instead of '{PUNCTUATION_TOKENS[kind]}'",
                )
            return self._insert(
                found,
                "RBRACKET",
                "missing-bracket",
                f"expected ',' or ']' in the string list opened {opened}, "
                f"found {self._describe(found)}",
                "close the string list with ']'",
            )
        if "RPAREN" in expected and kind in ("LBRACE", "SEMICOLON", "$end"):
            opened = self._where(self._opener(symbols, values, "LPAREN"))
            return self._insert(
                found,
                "RPAREN",
                "missing-paren",
                f"expected ',' or ')' in the test list opened {opened}, "
                f"found {self._describe(found)}",
                "close the test list with ')'",
            )
        if kind == "$end" and "RBRACE" in expected:
            brace = self._opener(symbols, values, "LBRACE")
            start = brace if brace is not None else at
            self.ctx.report(
                "missing-brace",
                start,
                start + 1,
                f"the block opened {self._where(brace)} is never closed",
                "add '}' where the block ends; check that every '{' has its '}'",
            )
            self.tokens.insert(found, "RBRACE", at)
            return found
        if kind == "RBRACE" and "LBRACE" not in symbols:
            position = self.tokens.start_of(found)
            self.ctx.report(
                "unbalanced-brace",
                position,
                position + 1,
                "unbalanced '}': no block is open here",
                "remove this '}', or look above for a '{' that is missing",
            )
            return found + 1
        if kind in _DELETABLE and self._deleting_helps(found):
            code, message, hint = _DELETABLE[kind]
            position = self.tokens.start_of(found)
            self.ctx.report(code, position, position + 1, message, hint)
            return found + 1
        return None

    # Trying a repair: run the automaton (without building anything) over the next few
    # tokens, to see whether the parse would go on after it.

    def _survives(self, states: list[int], kinds: list[str]) -> int:
        """How many of `kinds` the parser would take from `states` before an error."""
        tables = self.tables
        rows, gotos, defaulted = tables.action_rows, tables.goto_rows, tables.defaulted
        stack = list(states)
        for taken, kind in enumerate(kinds):
            while True:
                step = rows[stack[-1]].get(kind)
                if step is None:
                    step = defaulted.get(stack[-1])
                if step is None:
                    return taken
                if step > 0:
                    stack.append(step)
                    break
                if step == 0:
                    return len(kinds)
                name, length, _ = tables.productions[-step]
                if length:
                    del stack[-length:]
                stack.append(gotos[stack[-1]][name])
        return len(kinds)

    def _following(self, index: int, count: int = 4) -> list[str]:
        return self.tokens.types[index : index + count]

    def _replacing_is_better(self, found: int, kind: str) -> bool:
        states = self.states
        replaced = self._survives(states, [kind, *self._following(found + 1)])
        inserted = self._survives(states, [kind, *self._following(found)])
        return replaced > inserted

    def _deleting_helps(self, found: int) -> bool:
        following = self._following(found + 1)
        return self._survives(self.states, following) == len(following)

    def _replace(self, found: int, kind: str, code: str, message: str, hint: str) -> int:
        position = self.tokens.start_of(found)
        self.ctx.report(code, position, position + 1, message, hint)
        self.tokens.types[found] = kind
        self.tokens.values[found] = Inserted(position)
        return found

    def _insert(self, found: int, kind: str, code: str, message: str, hint: str) -> int | None:
        key = (self.tokens.start_of(found), kind)
        if key in self.tried:
            return None
        self.tried.add(key)
        at = self._previous_end(found)
        self.ctx.report(code, at, at + 1, message, hint)
        self.tokens.insert(found, kind, at)
        return found

    # Panic mode: skip the rest of the broken command.

    def _skip_command(
        self, found: int, symbols: list[str], states: list[int], values: list[Any]
    ) -> int:
        """Cuts the stacks back to where the broken command began and skips its tokens up to
        the ';' that ends it (or its block, or the '}' of the enclosing block)."""
        anchor = _last_index(symbols, "commands")
        del states[anchor + 1 :]
        del values[anchor + 1 :]
        types = self.tokens.types
        depth = 0
        index = found
        while types[index] != "$end":
            kind = types[index]
            if kind == "LBRACE":
                depth += 1
            elif kind == "RBRACE":
                if depth == 0:
                    return index  # it closes the enclosing block
                depth -= 1
                if depth == 0:
                    return index + 1
            elif kind == "SEMICOLON" and depth == 0:
                return index + 1
            index += 1
        return index

    # Describing things in words.

    def _report_unexpected(
        self, found: int, expected: set[str], symbols: list[str], values: list[Any]
    ) -> None:
        kind = self.tokens.types[found]
        start = self.tokens.start_of(found) if kind != "$end" else self._previous_end(found)
        end = max(self.tokens.end_of(found), start + 1)
        context = self._context(symbols, values)
        found_text = self._describe(found)
        message = f"expected {self._describe_expected(expected)}{context}, found {found_text}"
        self.ctx.report("unexpected-token", start, end, message, _hint_for(kind, expected))

    def _describe(self, index: int) -> str:
        kind = self.tokens.types[index]
        if kind == "$end":
            return "the end of the script"
        if kind in PUNCTUATION_TOKENS:
            return f"'{PUNCTUATION_TOKENS[kind]}'"
        text = self.ctx.source.text[self.tokens.start_of(index) : self.tokens.end_of(index)]
        text = text.splitlines()[0] if text else text
        if len(text) > 30:
            text = text[:27] + "…"
        if kind in ("IDENTIFIER", "CALLOUT"):
            return f"'{text}'"
        if kind == "TAG":
            return f"the tag '{text}'"
        if kind == "NUMBER":
            return f"the number {text}"
        return f"the string {text}"

    def _context(self, symbols: list[str], values: list[Any]) -> str:
        for symbol, value in zip(reversed(symbols), reversed(values), strict=True):
            if symbol == "LBRACKET":
                return f" in the string list opened {self._where(value)}"
            if symbol == "LPAREN":
                return f" in the test list opened {self._where(value)}"
            if symbol == "commands":
                break
        name = self._command_name(symbols, values)
        return f" after '{name}'" if name else ""

    @staticmethod
    def _describe_expected(expected: set[str]) -> str:
        words: list[str] = []
        remaining = expected - {"error"}
        if {"TAG", "NUMBER", "STRING"} <= remaining:
            words.append("an argument")
            remaining -= _ARGUMENT_TOKENS
        if "STRING" in remaining or "MULTILINE" in remaining:
            words.append("a string")
            remaining -= {"STRING", "MULTILINE"}
        if {"IDENTIFIER", "LPAREN"} <= remaining and "RBRACE" not in remaining:
            words.append("a test")
            remaining -= {"IDENTIFIER", "LPAREN"}
        if "IDENTIFIER" in remaining:
            command_start = "RBRACE" in remaining or "$end" in remaining
            words.append("a command" if command_start else "a test")
            remaining.discard("IDENTIFIER")
        for kind in ("SEMICOLON", "LBRACE", "COMMA", "RBRACKET", "RPAREN", "RBRACE", "LPAREN"):
            if kind in remaining:
                words.append(f"'{PUNCTUATION_TOKENS[kind]}'")
                remaining.discard(kind)
        words.extend(sorted({_MEANINGS.get(k, k) for k in remaining}))
        if not words:
            return "nothing more"
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]

    @staticmethod
    def _command_name(symbols: list[str], values: list[Any]) -> str:
        anchor = _last_index(symbols, "commands")
        if anchor + 1 < len(values) and symbols[anchor + 1] == "IDENTIFIER":
            return values[anchor + 1][0]
        return ""

    @staticmethod
    def _opener(symbols: list[str], values: list[Any], kind: str) -> int | None:
        """The offset of the innermost open '[', '(' or '{' on the stack."""
        for index in range(len(symbols) - 1, -1, -1):
            if symbols[index] == kind:
                return values[index]
        return None

    def _where(self, offset: int | None) -> str:
        if offset is None:
            return "earlier"
        line, column = self.ctx.source.position(offset)
        return f"at line {line}, column {column}"

    def _previous_end(self, index: int) -> int:
        """Where the last real token before `index` ends: where a missing token belongs."""
        values = self.tokens.values
        while index > 0:
            index -= 1
            if not isinstance(values[index], Inserted):
                return self.tokens.end_of(index)
        return 0

    def _line(self, offset: int) -> int:
        return self.ctx.source.position(offset)[0]


def _hint_for(kind: str, expected: set[str]) -> str:
    if kind in ("STRING", "MULTILINE", "NUMBER", "TAG") and expected <= {
        "IDENTIFIER",
        "LPAREN",
        "RPAREN",
        "error",
    }:
        hint = "a test list holds tests such as header, address or exists, not bare values"
        if kind in ("STRING", "MULTILINE"):
            hint += (
                '; name("…") as a value is a mapping callout of the Oracle Messaging Server '
                "dialect (--dialect oracle)"
            )
        return hint
    if kind == "RBRACKET":
        return "a string list holds strings separated by commas, with no ',' before ']'"
    if kind == "RPAREN":
        return "a test list holds tests separated by commas, with no ',' before ')'"
    if kind == "LBRACKET":
        return "string lists cannot be nested"
    if kind == "SEMICOLON" and "IDENTIFIER" in expected:
        return "the command is not finished: a test is missing before ';'"
    return "see RFC 5228 section 8.2 for the grammar of commands, tests and arguments"


def _last_index(symbols: list[str], kind: str) -> int:
    for index in range(len(symbols) - 1, -1, -1):
        if symbols[index] == kind:
            return index
    return 0
