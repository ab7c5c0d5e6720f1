"""Test results as JUnit XML, the report format CI systems (GitLab, Jenkins, GitHub
actions' reporters) read: one <testsuite> per test file, one <testcase> per case."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from sieve.testing.report import FileResult

# XML 1.0 §2.2: these characters cannot appear in a document at all, not even escaped.
# A message or a diff may hold them (a NUL in a broken message), so they are replaced.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _classname(path: str) -> str:
    """`corpus/tests/spam.sievetest.toml` → `corpus.tests.spam`: how CI tools group cases."""
    name = path.replace("\\", "/")
    for suffix in (".sievetest.toml", ".svtest", ".toml"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return ".".join(part for part in name.split("/") if part and part != ".")


def to_junit(
    results: Sequence[FileResult],
    name: str = "sieve test",
    printed: Mapping[str, str] | None = None,
) -> str:
    """The whole run as one XML document (a string, with its declaration). What a file
    printed goes into its suite's <system-out>."""
    root = ET.Element("testsuites", name=_text(name))
    totals = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
    for file in results:
        suite = ET.SubElement(root, "testsuite", name=_text(file.path))
        classname = _text(_classname(file.path))
        seconds = sum(case.seconds for case in file.cases)
        failures = sum(not case.passed for case in file.cases)
        for case in file.cases:
            element = ET.SubElement(
                suite,
                "testcase",
                classname=classname,
                name=_text(case.name),
                time=f"{case.seconds:.3f}",
            )
            if not case.passed:
                failure = ET.SubElement(element, "failure", message=_text(case.reason))
                failure.text = _text(case.diff or case.reason)
        errors = 0
        if file.error:
            # The file could not run at all: one case stands for it, in error.
            errors = 1
            element = ET.SubElement(
                suite, "testcase", classname=classname, name="(file)", time="0.000"
            )
            problem = ET.SubElement(element, "error", message=_text(file.error))
            problem.text = _text(file.error)
        output = (printed or {}).get(file.path)
        if output:
            ET.SubElement(suite, "system-out").text = _text(output)
        count = len(file.cases) + errors
        suite.set("tests", str(count))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("time", f"{seconds:.3f}")
        totals["tests"] += count
        totals["failures"] += failures
        totals["errors"] += errors
        totals["time"] += seconds
    for key in ("tests", "failures", "errors"):
        root.set(key, str(totals[key]))
    root.set("time", f"{totals['time']:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
