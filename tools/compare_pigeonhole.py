#!/usr/bin/env python3
"""Runs every corpus script on every corpus message with our VM and with Dovecot Pigeonhole's
`sieve-test`, and reports where the two disagree on what happens to the message.

Pigeonhole is the reference for what the RFCs leave open, so each disagreement is either a
bug of ours or a known, explained difference (listed in KNOWN below, with the reason). The
comparison covers what both print: where the message is stored, redirects, discard, reject,
vacation, notify, the implicit keep and whether the run failed.

    python tools/compare_pigeonhole.py [--scripts GLOB] [--verbose]

Pigeonhole refuses to run as root; `../shared/tools/pigeonhole-test` runs it as nobody.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the package and tests/ from this checkout

from tests.runtime.corpus_runs import (  # noqa: E402 - one definition of a run, as the tests
    MESSAGES,
    SCRIPTS,
    envelope_for,
    run_case,
)

WRAPPER = ROOT.parent / "shared" / "tools" / "pigeonhole-test"
EXTENSIONS = "+editheader +vacation-seconds +spamtest +spamtestplus +virustest"

# Scripts Pigeonhole 2.3 cannot run at all (extensions it lacks), or runs with settings
# (include folders, spam headers) that its command line cannot give.
UNSUPPORTED = {
    "extlists-addressbook",
    "mime-replace-enclose",
    "ereject-policy",
    "include-main",
    "include-helper",
    "valid-ereject",
    "valid-extlists",
    "valid-replace",
    "valid-enclose",
    "valid-include",
}


# Differences we keep on purpose, by (script name, message name or "*"), with the reason.
KNOWN = {
    ("valid-relational-counts", "list.eml"): (
        "i;ascii-casemap orders after folding to upper case (RFC 4790 §9.2), so '[' sorts "
        "after 'B'; Pigeonhole folds to lower case"
    ),
    ("valid-quarantine", "*"): (
        "Pigeonhole 2.3 aborts a foreverypart nested inside an if inside a foreverypart "
        "('jump target crosses loop boundary'), a bug of its code generator"
    ),
    ("mime-attachments", "broken-mime.eml"): (
        "a header value copied from the message holds a NUL: Pigeonhole fails the run, we "
        "add the field with the value RFC 2047-encoded and keep the script's other actions"
    ),
    ("valid-score-filing", "*"): "Pigeonhole's sieve-test reads no spam header unless configured",
    ("valid-percent", "*"): "Pigeonhole's sieve-test reads no spam header unless configured",
    ("spamtest-virustest", "*"): "Pigeonhole's sieve-test reads no spam header unless configured",
}


def known(script: Path, message: Path) -> str | None:
    return KNOWN.get((script.stem, message.name)) or KNOWN.get((script.stem, "*"))


def pigeonhole_summary(script: Path, message: Path) -> tuple[str, list[str]]:
    mail_from, rcpt_to = envelope_for(message)
    command = [str(WRAPPER), "-x", EXTENSIONS, "-f", mail_from or "<>", "-r", rcpt_to]
    output = subprocess.run(
        [*command, str(script), str(message)], capture_output=True, text=True, timeout=60
    )
    text = output.stdout + output.stderr
    if "failed to compile" in text or "Fatal:" in text:
        return "unsupported", []
    status = "failed" if "final result: failed" in text else "success"
    performed, _, implicit = text.partition("Implicit keep:")
    summary: list[str] = []
    for line in performed.splitlines():
        item = line.strip()
        if not item.startswith("* "):
            continue
        summary.append(_pigeonhole_action(item[2:]))
    if status == "success" and "store message in folder" in implicit:
        summary.append("implicit-keep")
    if status == "failed":
        summary = ["implicit-keep"]
    if "vacation" in summary and _vacation_declined(command, script, message):
        summary.remove("vacation")
    return status, sorted(s for s in summary if s)


def _vacation_declined(command: list[str], script: Path, message: Path) -> bool:
    """sieve-test lists a vacation action before deciding to send it; the RFC 5230 §4.5
    checks (lists, auto-submitted mail, the user's address) run only when actions are
    executed (-e), which then logs the reply it discards."""
    output = subprocess.run(
        [*command, "-e", str(script), str(message)], capture_output=True, text=True, timeout=60
    )
    log = output.stdout + output.stderr
    return "vacation action: discard" in log or "vacation action: not sending" in log


def _pigeonhole_action(text: str) -> str:
    if text.startswith("store message in folder:"):
        return "store " + text.split(":", 1)[1].strip()
    if text.startswith("redirect message to:"):
        return "redirect " + text.split(":", 1)[1].strip().strip("<>")
    if text.startswith("discard"):
        return "discard"
    if text.startswith("reject message"):
        return "reject"
    if text.startswith("send vacation message"):
        return "vacation"
    if text.startswith("send notification"):
        return "notify"
    if text.startswith("keep"):
        return "store INBOX"
    return ""


def our_summary(document: dict) -> tuple[str, list[str]]:
    status = "success" if document["status"] == "success" else "failed"
    summary: list[str] = []
    for action in document["actions"]:
        kind = action["type"]
        if kind == "keep":
            summary.append("store INBOX")
        elif kind == "fileinto":
            summary.append("store " + action["mailbox"])
        elif kind == "redirect":
            summary.append("redirect " + action["address"])
        elif kind in ("reject", "ereject"):
            summary.append("reject")
        elif kind in ("discard", "vacation", "notify"):
            summary.append(kind)
    if document["implicit_keep"]:
        summary.append("implicit-keep")
    return status, sorted(summary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scripts", default="*", help="glob over script names")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("sieve-test") is None:
        print("sieve-test is not installed (apt-get install dovecot-sieve)", file=sys.stderr)
        return 2
    cases = [
        (script, message)
        for script in SCRIPTS
        if Path(script.stem).match(args.scripts) and script.stem not in UNSUPPORTED
        for message in MESSAGES
    ]

    def compare(case: tuple[Path, Path]) -> tuple[Path, Path, tuple, tuple]:
        script, message = case
        # sieve-test runs on the real clock: so do we, here (date and vacation scripts).
        ours = our_summary(run_case(script, message, now=datetime.now(UTC)))
        theirs = pigeonhole_summary(script, message)
        return script, message, ours, theirs

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(compare, cases))
    agree = skipped = 0
    differences = []
    explained = []
    for script, message, ours, theirs in results:
        if theirs[0] == "unsupported":
            skipped += 1
        elif ours == theirs:
            agree += 1
        elif known(script, message):
            explained.append((script, message))
        else:
            differences.append((script, message, ours, theirs))
    compared = len(results) - skipped
    print(
        f"{agree} of {compared} runs agree with Pigeonhole, {len(explained)} differ on "
        f"purpose, {len(differences)} differ unexplained ({skipped} runs it could not run)"
    )
    if args.verbose:
        for script, message in explained:
            print(f"  on purpose: {script.stem} on {message.name}: {known(script, message)}")
    for script, message, ours, theirs in differences:
        print(f"- {script.relative_to(ROOT)} on {message.name}:")
        print(f"    ours:       {ours[0]} {json.dumps(ours[1])}")
        print(f"    pigeonhole: {theirs[0]} {json.dumps(theirs[1])}")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
