"""Shared helpers for the lint tests: lint a snippet and get the codes found."""

from __future__ import annotations

from pathlib import Path

import pytest

from sieve.lint import LintConfig, lint

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


def codes_of(source: str, **settings: object) -> list[str]:
    """The codes of every finding for `source`, in position order."""
    config = LintConfig().merged(settings) if settings else LintConfig()
    return [finding.code for finding in lint(source, "test.sieve", config)]


@pytest.fixture
def codes():
    return codes_of
