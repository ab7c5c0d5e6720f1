""":regex whose pattern is a plain string or a glob."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.patterns import contains_form, literal_text, quote, regex_as_glob
from sieve.lint.rule import Rule


class RegexWithoutMetacharacters(Rule):
    r"""## What it does
    Finds `:regex` tests whose every pattern is plain text, or text with only `.`, `.*` and
    the anchors `^` and `$`, and says which cheaper match type does the same.

    ## Why is this bad?
    A regular expression is compiled and run by the regex engine for every header value; a
    plain substring or glob does the same job with `:contains`, `:is` or `:matches`, needs no
    `regex` extension (RFC draft-ietf-sieve-regex is not supported by every server), and is
    easier to read. Patterns like `.*spam.*` also often hide a misunderstanding: a regex
    search is unanchored already.

    ## Example
    ```sieve
    require "regex";
    if header :regex "Subject" ".*viagra.*" { discard; }
    if header :regex "List-Id" "^<dev\\.example\\.org>$" { fileinto "Dev"; }
    ```

    ## Use instead
    ```sieve
    if header :contains "Subject" "viagra" { discard; }
    if header :is "List-Id" "<dev.example.org>" { fileinto "Dev"; }
    ```
    """

    code = "regex-without-metacharacters"
    tolerant = True

    def check(self, context: LintContext) -> Iterator[Finding]:
        for test, _ in context.tests():
            tag = context.match_type_tag(test)
            if tag is None or tag.name != "regex":
                continue
            keys = context.strings(context.positional(test, -1))
            if not keys or any("${" in key.value for key in keys):
                continue
            globs = [regex_as_glob(key.value) for key in keys]
            if any(glob is None for glob in globs):
                continue
            suggestion = _suggest([g for g in globs if g is not None])
            captures = " (and it sets no ${N} groups)" if context.reads_match_variables else ""
            yield self.finding(
                tag,
                f"this :regex needs no regular expression{captures}",
                f"use {suggestion}",
            )


def _suggest(globs: list[str]) -> str:
    """The cheapest match type that matches the same as every glob."""
    literals = [literal_text(glob) for glob in globs]
    if all(value is not None for value in literals):
        return ":is " + _keys([v for v in literals if v is not None])
    middles = [contains_form(glob) for glob in globs]
    if all(value is not None for value in middles):
        return ":contains " + _keys([v for v in middles if v is not None])
    return ":matches " + _keys(globs)


def _keys(values: list[str]) -> str:
    quoted = [quote(value) for value in values]
    return quoted[0] if len(quoted) == 1 else "[" + ", ".join(quoted) + "]"


RULE = RegexWithoutMetacharacters()
