"""The checker works out each signature once per registry: what one registry offers must
never leak into a check made with another, whatever order the checks come in."""

from __future__ import annotations

import sieve
from sieve.check import check

COUNTING = 'require "relational";\nif header :count "ge" "To" "3" { keep; }\n'


def codes(source: str, extensions: list[str] | None) -> list[str]:
    parsed = sieve.parse(source)
    assert parsed.script is not None
    return [d.code for d in check(parsed.script, extensions=extensions)]


def test_tags_one_registry_offers_are_unknown_to_a_registry_without_them() -> None:
    assert codes(COUNTING, None) == []
    # The same `header` spec, now without relational: its :count tag is not there.
    assert codes(COUNTING, ["fileinto"]) == [
        "disabled-capability",
        "unknown-tag",
        "too-many-arguments",  # "ge", no longer the value of a tag
    ]
    assert codes(COUNTING, None) == []


def test_optional_positionals_are_filled_in_order_for_every_count() -> None:
    # deleteheader takes a required field name and an optional list of value patterns:
    # one or two positionals fit, the second one fills the optional slot.
    edit = 'require "editheader";\n'
    assert codes(edit + 'deleteheader "X-A";', None) == []
    assert codes(edit + 'deleteheader "X-A" ["a", "b"];', None) == []
    assert codes(edit + 'deleteheader "X-A" "a" "b";', None) == ["too-many-arguments"]
    assert codes(edit + "deleteheader;", None) == ["missing-argument"]
    assert codes(edit + 'deleteheader "X-A" 2;', None) == ["wrong-argument-type"]
    assert codes(edit + "deleteheader 1;", None) == ["wrong-argument-type"]
    # vacation's reason is required, everything else is a tag; date takes an optional
    # zone tag but its three positionals are all required.
    assert codes('require "vacation";\nvacation "away";', None) == []
    assert codes('require "vacation";\nvacation;', None) == ["missing-argument"]
    assert codes('require "vacation";\nvacation "a" "b";', None) == ["too-many-arguments"]
    assert codes('require "date";\nif date "date" "year" "2024" { keep; }', None) == []
    assert codes('require "date";\nif date "date" "year" { keep; }', None) == ["missing-argument"]
