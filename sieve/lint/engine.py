"""The lint engine: parse and check a script, run the enabled rules over it, then apply the
inline suppressions. Never raises for bad input: a script that does not compile yields its
compile diagnostics as findings, and a rule that crashes yields one `internal-error`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sieve.check.checker import Checker
from sieve.diagnostics import Diagnostic
from sieve.extensions.registry import Registry
from sieve.lint.config import AUTO, AUTO_ORDER, LintConfig
from sieve.lint.context import LintContext
from sieve.lint.finding import ERROR, INFO, WARNING, Finding, sort_key
from sieve.lint.rule import Rule
from sieve.lint.rules import all_rules
from sieve.lint.suppression import Suppression, find_suppressions
from sieve.syntax import parse
from sieve.syntax.ast import Script

_SEVERITY = {"error": ERROR, "warning": WARNING, "note": INFO}
# Codes the engine itself reports (each also has a rule module, for --explain).
SUPPRESSION_WITHOUT_REASON = "suppression-without-reason"
UNUSED_SUPPRESSION = "unused-suppression"
INTERNAL_ERROR = "internal-error"

IncludeResolver = Callable[[str, bool], Script | None]


def lint(
    source: str | bytes,
    name: str = "<string>",
    config: LintConfig | None = None,
    *,
    resolve_include: IncludeResolver | None = None,
    rules: Iterable[Rule] | None = None,
) -> list[Finding]:
    """Every finding for one script, sorted by position. `rules` defaults to every rule the
    config enables; `resolve_include(name, global_)` may return an included script's tree."""
    config = config or LintConfig()
    compiled = _compile(source, config)
    findings = list(compiled.findings)
    if compiled.ok:
        tolerant_only = False
    elif compiled.parsed.script is not None and compiled.parsed.source is not None:
        # A broken script still gets the findings of the rules that read single tests.
        tolerant_only = True
    else:
        return sorted(findings, key=sort_key)
    context = compiled.context(name, config, resolve_include)
    for rule in all_rules().values() if rules is None else rules:
        if config.enabled(rule.code) and (rule.tolerant or not tolerant_only):
            findings.extend(run_rule(rule, context))
    if context.flow_error is not None:
        # The rules that need the control-flow graph found nothing: say so, not silently.
        findings.append(_internal_error(context.flow_error))
    findings = apply_suppressions(context, findings, config)
    return sorted(set(findings), key=sort_key)


def build_context(
    source: str | bytes,
    name: str,
    config: LintConfig,
    *,
    resolve_include: IncludeResolver | None = None,
) -> tuple[LintContext | None, list[Finding]]:
    """The context the rules run in, or None with the compile errors as findings when the
    script does not compile (rules only ever see checked trees)."""
    compiled = _compile(source, config)
    if not compiled.ok:
        return None, compiled.findings
    return compiled.context(name, config, resolve_include), compiled.findings


class _Compiled:
    """A parse and check of one script in one dialect."""

    def __init__(self, source: str | bytes, dialect: str, extensions: Iterable[str] | None):
        self.dialect = dialect
        self.parsed = parse(source, dialect=dialect)
        self.findings = [_from_diagnostic(d) for d in self.parsed.diagnostics]
        self.parsed_ok = self.parsed.ok and self.parsed.script is not None
        self.registry = Registry.shared(extensions, dialect)
        self.required: frozenset[str] = frozenset()
        self.ok = False
        if self.parsed_ok:
            checker = Checker(self.registry, dialect)
            checker.script(self.parsed.script)  # type: ignore[arg-type]
            self.findings.extend(_from_diagnostic(d) for d in checker.diagnostics)
            self.required = frozenset(checker.required)
            self.ok = not any(d.is_error for d in checker.diagnostics)
        elif self.parsed.script is not None:
            # A tree recovered from a broken script: its require commands as the checker
            # reads them (RFC 5228 §3.2, with what each capability implies); the diagnostics
            # are the parse's to give.
            requires = Checker(self.registry, dialect).requires(self.parsed.script.commands)
            self.required = frozenset(requires)

    def context(
        self, name: str, config: LintConfig, resolve_include: IncludeResolver | None
    ) -> LintContext:
        assert self.parsed.script is not None and self.parsed.source is not None
        return LintContext(
            self.parsed.source.text,
            name,
            self.parsed.script,
            self.registry,
            self.required,
            self.dialect,
            config,
            source_map=self.parsed.source,
            resolve_include=resolve_include,
        )


def _compile(source: str | bytes, config: LintConfig) -> _Compiled:
    """Parses and checks in the configured dialect; with `auto`, the standard grammar first
    and then Oracle's, keeping the first that compiles (else the first that parses)."""
    if config.dialect != AUTO:
        return _Compiled(source, config.dialect, config.extensions)
    attempts: list[_Compiled] = []
    for dialect in AUTO_ORDER:
        attempt = _Compiled(source, dialect, config.extensions)
        if attempt.ok:
            return attempt
        attempts.append(attempt)
    parsed = [a for a in attempts if a.parsed_ok]
    if parsed:
        return parsed[0]
    # Neither grammar reads it: report in the one that finds fewer errors.
    return min(attempts, key=lambda a: sum(f.severity == ERROR for f in a.findings))


def run_rule(rule: Rule, context: LintContext) -> list[Finding]:
    """One rule's findings; a crash becomes a finding, so one bad rule costs one rule."""
    try:
        return list(rule.check(context))
    except Exception as error:  # noqa: BLE001 - reported, never swallowed
        return [_internal_error(f"rule {rule.code} failed: {type(error).__name__}: {error}")]


def _internal_error(message: str) -> Finding:
    return Finding(
        INTERNAL_ERROR,
        ERROR,
        1,
        1,
        1,
        1,
        message,
        "please report this with the script; the other rules still ran",
    )


def apply_suppressions(
    context: LintContext, findings: list[Finding], config: LintConfig
) -> list[Finding]:
    """Drops suppressed findings and reports suppressions that lack a reason, name no known
    rule, or suppress nothing."""
    suppressions = find_suppressions(context.script.comments)
    if not suppressions:
        return findings
    kept = [f for f in findings if not _suppressed(f, suppressions)]
    meta = all_rules()
    known = set(meta)
    for item in suppressions:
        if not item.reason and config.enabled(SUPPRESSION_WITHOUT_REASON):
            kept.append(
                _at(
                    meta[SUPPRESSION_WITHOUT_REASON],
                    item,
                    f"suppression of {', '.join(item.codes) or 'nothing'} gives no reason",
                    "say why after the brackets: # sieve-lint: ignore[CODE] the reason",
                )
            )
        if not config.enabled(UNUSED_SUPPRESSION):
            continue
        for code in item.codes:
            if code in item.used or not config.enabled(code) and code in known:
                continue
            why = "no rule has this code" if code not in known else "nothing here to suppress"
            kept.append(
                _at(
                    meta[UNUSED_SUPPRESSION],
                    item,
                    f"unused suppression of {code}: {why}",
                    "remove it, or check the code with sieve lint --list-rules",
                )
            )
    return kept


def _suppressed(finding: Finding, suppressions: list[Suppression]) -> bool:
    if finding.code in (INTERNAL_ERROR, SUPPRESSION_WITHOUT_REASON):
        return False
    for item in suppressions:
        if item.covers(finding.code, finding.line):
            item.used.add(finding.code)
            return True
    return False


def _at(rule: Rule, item: Suppression, message: str, hint: str) -> Finding:
    return Finding(
        rule.code,
        rule.severity,
        item.line,
        item.column,
        item.end_line,
        item.end_column,
        message,
        hint,
    )


def _from_diagnostic(diagnostic: Diagnostic) -> Finding:
    return Finding(
        diagnostic.code,
        _SEVERITY.get(diagnostic.severity, WARNING),
        diagnostic.line,
        diagnostic.column,
        diagnostic.end_line,
        diagnostic.end_column,
        diagnostic.message,
        diagnostic.hint,
    )
