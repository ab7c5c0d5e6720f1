"""Syntax error recovery: say in words what was expected and what was found, repair the
common mistakes (a missing ';', ',' , ']', ')' or '}') by inserting the token, and otherwise
skip to the next ';' or '}' so that one run reports every error in the script."""

from __future__ import annotations

from typing import Any

import ply.lex

from sieve.syntax.context import LexContext
from sieve.syntax.lexer import PUNCTUATION_TOKENS, Word

_ARGUMENT_TOKENS = {"TAG", "NUMBER", "STRING", "MULTILINE", "LBRACKET", "CALLOUT"}
_MEANINGS = {
    "IDENTIFIER": "a test",
    "TAG": "a tag",
    "NUMBER": "a number",
    "STRING": "a string",
    "MULTILINE": "a string",
    "CALLOUT": "a mapping callout",
    "$end": "the end of the script",
}
_NO_REPAIR = object()
# A parse that keeps failing at one token is abandoned rather than allowed to loop.
_MAX_ERRORS_AT_ONE_TOKEN = 4


def token_end(token: Any) -> int:
    value = token.value
    if isinstance(value, Word):
        return value.end
    span = getattr(value, "span", None)
    if span is not None:
        return span.end
    return token.lexpos + 1


class TokenStream:
    """What the PLY parser reads tokens from: the lexer plus a push-back queue for repairs,
    remembering where the previous token ended (where a missing ';' belongs)."""

    def __init__(self, lexer: Any, ctx: LexContext) -> None:
        self.lexer = lexer
        self.ctx = ctx
        self.pending: list[Any] = []
        self.current: Any = None
        self.previous_end = 0
        self.stopped = False

    def stop(self) -> None:
        """Ends the token stream: the parse winds down at the end of input."""
        self.stopped = True
        self.pending.clear()

    def token(self) -> Any:
        if self.stopped or self.ctx.overflowed:
            token = None  # enough diagnostics, or a parse going round in circles
        elif self.pending:
            token = self.pending.pop()
        else:
            token = self.lexer.token()
        if token is not None and token is not self.current:
            if self.current is not None:
                self.previous_end = token_end(self.current)
            self.current = token
        return token

    def push_back(self, token: Any) -> None:
        self.pending.append(token)


class ErrorRecovery:
    """The parser's error function for one parse."""

    def __init__(self, parser: Any, stream: TokenStream, ctx: LexContext) -> None:
        self.parser = parser
        self.stream = stream
        self.ctx = ctx
        self.tried: set[tuple[int, str]] = set()
        self.errors_at: dict[int, int] = {}

    def __call__(self, found: Any) -> Any:
        if found is None and self.ctx.truncated:
            return None  # an unterminated string or comment already explains the end
        position = found.lexpos if found is not None else -1
        self.errors_at[position] = self.errors_at.get(position, 0) + 1
        if self.errors_at[position] > _MAX_ERRORS_AT_ONE_TOKEN:
            self.stream.stop()
            return None
        expected = set(self.parser.action[self.parser.state]) - {"error"}
        symbols = self.parser.symstack
        repaired = self._repair(found, expected, symbols)
        if repaired is not _NO_REPAIR:
            return repaired
        self._report_unexpected(found, expected, symbols)
        self._skip_statement(found, symbols)
        return None

    # Repairs: insert the token a person most likely forgot, or drop a stray '}'.

    def _repair(self, found: Any, expected: set[str], symbols: list[Any]) -> Any:
        kind = "$end" if found is None else found.type
        at = self.stream.previous_end
        new_line = found is None or self._line(found.lexpos) > self._line(at)
        if "SEMICOLON" in expected and (kind in ("RBRACE", "$end") or new_line):
            name = self._command_name(symbols)
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
            opened = self._where(self._last(symbols, "LBRACKET"))
            return self._insert(
                found,
                "RBRACKET",
                "missing-bracket",
                f"expected ',' or ']' in the string list opened {opened}, "
                f"found {self._describe(found)}",
                "close the string list with ']'",
            )
        if "RPAREN" in expected and kind in ("LBRACE", "SEMICOLON", "$end"):
            opened = self._where(self._last(symbols, "LPAREN"))
            return self._insert(
                found,
                "RPAREN",
                "missing-paren",
                f"expected ',' or ')' in the test list opened {opened}, "
                f"found {self._describe(found)}",
                "close the test list with ')'",
            )
        if kind == "$end" and "RBRACE" in expected:
            brace = self._last(symbols, "LBRACE")
            start = brace.lexpos if brace is not None else at
            self.ctx.report(
                "missing-brace",
                start,
                start + 1,
                f"the block opened {self._where(brace)} is never closed",
                "add '}' where the block ends; check that every '{' has its '}'",
            )
            return self._synthetic("RBRACE", at)
        if kind == "RBRACE" and self._last(symbols, "LBRACE") is None:
            self.ctx.report(
                "unbalanced-brace",
                found.lexpos,
                found.lexpos + 1,
                "unbalanced '}': no block is open here",
                "remove this '}', or look above for a '{' that is missing",
            )
            self.parser.errok()
            return self.stream.token()
        return _NO_REPAIR

    def _insert(self, found: Any, kind: str, code: str, message: str, hint: str) -> Any:
        position = found.lexpos if found is not None else -1
        if (position, kind) in self.tried:
            return _NO_REPAIR
        self.tried.add((position, kind))
        at = self.stream.previous_end
        self.ctx.report(code, at, at + 1, message, hint)
        if found is not None:
            self.stream.push_back(found)
        return self._synthetic(kind, at)

    def _synthetic(self, kind: str, at: int) -> Any:
        token = ply.lex.LexToken()
        token.type = kind
        token.value = PUNCTUATION_TOKENS[kind]
        token.lineno = 0
        token.lexpos = at
        self.parser.errok()
        return token

    # Panic mode: skip the rest of the broken command.

    def _skip_statement(self, found: Any, symbols: list[Any]) -> None:
        """Leaves the parser able to reduce `command : error ';'` right where the broken
        command began: the stacks are cut back to it and the token after the skipped text is
        turned into the ';' that ends it."""
        if found is None:
            return
        anchor = self._last_index(symbols, "commands")
        if len(symbols) > anchor + 2:
            del symbols[anchor + 2 :]
            del self.parser.statestack[anchor + 2 :]
        depth = 0
        token = found
        while token is not None:
            if token.type == "LBRACE":
                depth += 1
            elif token.type == "RBRACE":
                if depth == 0:
                    # The '}' closes the enclosing block: give it back to the parser.
                    resume = ply.lex.LexToken()
                    resume.__dict__.update(token.__dict__)
                    self.stream.push_back(resume)
                    break
                depth -= 1
                if depth == 0:
                    break
            elif token.type == "SEMICOLON" and depth == 0:
                break
            token = self.stream.token()
        if token is None:
            return
        found.type = "SEMICOLON"
        found.value = ";"

    # Describing things in words.

    def _report_unexpected(self, found: Any, expected: set[str], symbols: list[Any]) -> None:
        start = found.lexpos if found is not None else self.stream.previous_end
        end = token_end(found) if found is not None else start + 1
        context = self._context(symbols)
        message = f"expected {self._describe_expected(expected)}{context}, found {self._describe(found)}"
        hint = self._hint_for(found, expected)
        self.ctx.report("unexpected-token", start, end, message, hint)

    def _hint_for(self, found: Any, expected: set[str]) -> str:
        kind = "$end" if found is None else found.type
        if kind in ("STRING", "NUMBER", "TAG") and expected <= {"IDENTIFIER", "LPAREN"} | {"RPAREN"}:
            return "a test list holds tests such as header, address or exists, not bare values"
        if kind == "RBRACKET":
            return "a string list holds strings separated by commas, with no ',' before ']'"
        if kind == "RPAREN":
            return "a test list holds tests separated by commas, with no ',' before ')'"
        if kind == "LBRACKET":
            return "string lists cannot be nested"
        if kind == "SEMICOLON" and "IDENTIFIER" in expected:
            return "the command is not finished: a test is missing before ';'"
        return "see RFC 5228 section 8 for the grammar of commands, tests and arguments"

    def _describe(self, token: Any) -> str:
        if token is None:
            return "the end of the script"
        kind = token.type
        if kind in PUNCTUATION_TOKENS:
            return f"'{PUNCTUATION_TOKENS[kind]}'"
        text = self.ctx.source.text[token.lexpos : token_end(token)]
        if len(text) > 30:
            text = text[:27] + "…"
        if kind in ("IDENTIFIER", "CALLOUT"):
            return f"'{text}'"
        if kind == "TAG":
            return f"the tag '{text}'"
        if kind == "NUMBER":
            return f"the number {text}"
        return f"the string {text.splitlines()[0] if text else text}"

    def _describe_expected(self, expected: set[str]) -> str:
        words: list[str] = []
        remaining = set(expected)
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
            words.append("a command" if "RBRACE" in remaining or "$end" in remaining else "a test")
            remaining.discard("IDENTIFIER")
        for kind in ("SEMICOLON", "LBRACE", "COMMA", "RBRACKET", "RPAREN", "RBRACE", "LPAREN"):
            if kind in remaining:
                words.append(f"'{PUNCTUATION_TOKENS[kind]}'")
                remaining.discard(kind)
        words.extend(sorted({_MEANINGS.get(k, k) for k in remaining}))
        if not words:
            return "nothing more"
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]

    def _context(self, symbols: list[Any]) -> str:
        for symbol in reversed(symbols):
            kind = symbol.type
            if kind == "LBRACKET":
                return f" in the string list opened {self._where(symbol)}"
            if kind == "LPAREN":
                return f" in the test list opened {self._where(symbol)}"
            if kind == "commands":
                break
        name = self._command_name(symbols)
        return f" after '{name}'" if name else ""

    def _command_name(self, symbols: list[Any]) -> str:
        anchor = self._last_index(symbols, "commands")
        if anchor + 1 < len(symbols) and isinstance(symbols[anchor + 1].value, Word):
            return symbols[anchor + 1].value.text
        return ""

    def _where(self, symbol: Any) -> str:
        if symbol is None:
            return "earlier"
        line, column = self.ctx.source.position(symbol.lexpos)
        return f"at line {line}, column {column}"

    def _line(self, offset: int) -> int:
        return self.ctx.source.position(offset)[0]

    @staticmethod
    def _last(symbols: list[Any], kind: str) -> Any:
        for symbol in reversed(symbols):
            if symbol.type == kind:
                return symbol
        return None

    @staticmethod
    def _last_index(symbols: list[Any], kind: str) -> int:
        for index in range(len(symbols) - 1, -1, -1):
            if symbols[index].type == kind:
                return index
        return 0
