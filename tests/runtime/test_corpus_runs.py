"""Every corpus script on every corpus message gives the result recorded under
corpus/expected/runs/ (one file per script, by message name). The recorded results were
compared with Dovecot Pigeonhole by tools/compare_pigeonhole.py; regenerate them with
SIEVE_UPDATE_GOLDEN=1 and review the diff like code."""

from __future__ import annotations

import json
import os

import pytest

from tests.runtime.corpus_runs import GOLDEN, MESSAGES, SCRIPTS, golden_name, run_case

UPDATE = os.environ.get("SIEVE_UPDATE_GOLDEN") == "1"


def test_the_corpus_has_scripts_and_messages() -> None:
    assert len(SCRIPTS) >= 60 and len(MESSAGES) >= 10


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: golden_name(path)[:-5])
def test_corpus_script_results(script) -> None:  # noqa: ANN001
    results = {message.name: run_case(script, message) for message in MESSAGES}
    for name, document in results.items():
        assert document["status"] in ("success", "failed", "limit"), name
        if document["status"] != "success":
            assert document["implicit_keep"] and not document["actions"], name
    path = GOLDEN / golden_name(script)
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    expected = json.loads(path.read_text())
    assert results == expected
