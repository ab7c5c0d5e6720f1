"""RFC 5260 date and currentdate (and :index/:last on date), read as script + message →
result. Expected date parts were compared with Dovecot Pigeonhole's sieve-test."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sieve
from sieve.extensions.date import DATE_PARTS, date_part, moment_of, parse_date, std11

MESSAGES = Path(__file__).parents[2] / "corpus" / "messages"
RECEIVED = (MESSAGES / "date-received.eml").read_bytes()
NOW = datetime(2026, 11, 28, 12, 0, 5, tzinfo=UTC)  # a Saturday
REQUIRE = 'require ["date", "index", "variables", "fileinto", "relational"];\n'


@dataclass
class ZonedHost(sieve.MemoryHost):
    """A server whose local zone is `minutes` east of UTC."""

    minutes: int = 0

    def local_timezone_minutes(self) -> int:
        return self.minutes


def message(date: str, *more: str) -> bytes:
    lines = [f"Date: {date}", *more, "From: a@example.com", "Subject: dates", "", "body", ""]
    return "\r\n".join(lines).encode()


def run(source: str, data: bytes = RECEIVED, host: sieve.MemoryHost | None = None) -> dict:
    script = sieve.compile(REQUIRE + source)
    host = host or sieve.MemoryHost(clock=lambda: NOW)
    return script.run(data, sieve.Envelope(rcpt_to="worker@example.org"), host=host).to_dict()


def folders(document: dict) -> list[str]:
    assert document["errors"] == [], document["errors"]
    return [action["mailbox"] for action in document["actions"] if action["type"] == "fileinto"]


def shown(test: str, data: bytes = RECEIVED, host: sieve.MemoryHost | None = None) -> str | None:
    """What `${1}` holds after `test :matches ... "*"`, or None when the test is false."""
    document = run(f'if {test} "*" {{ fileinto "${{1}}"; }}', data, host)
    found = folders(document)
    return found[0] if found else None


# Every date part (RFC 5260 §4.2), as Pigeonhole prints them.

PIGEONHOLE_PARTS = {
    "year": "2009",
    "month": "11",
    "day": "20",
    "date": "2009-11-20",
    "julian": "55155",
    "hour": "17",
    "minute": "41",
    "second": "07",
    "time": "17:41:07",
    "iso8601": "2009-11-20T17:41:07-07:00",
    "std11": "Fri, 20 Nov 2009 17:41:07 -0700",
    "zone": "-0700",
    "weekday": "5",
}


@pytest.mark.parametrize("part", DATE_PARTS)
def test_every_date_part_in_the_original_zone(part: str) -> None:
    data = message("Fri, 20 Nov 2009 17:41:07 -0700")
    assert shown(f'date :originalzone :matches "date" "{part}"', data) == PIGEONHOLE_PARTS[part]


def test_the_date_part_name_is_case_insensitive() -> None:
    data = message("Fri, 20 Nov 2009 17:41:07 -0700")
    assert shown('date :originalzone :matches "date" "YEAR"', data) == "2009"


def test_without_a_zone_dates_are_shown_in_the_servers_zone() -> None:
    data = message("Fri, 20 Nov 2009 17:41:07 -0700")
    assert shown('date :matches "date" "iso8601"', data) == "2009-11-21T00:41:07Z"
    tokyo = ZonedHost(clock=lambda: NOW, minutes=9 * 60)
    assert shown('date :matches "date" "iso8601"', data, tokyo) == "2009-11-21T09:41:07+09:00"
    assert shown('date :matches "date" "zone"', data, tokyo) == "+0900"


def test_zone_shifts_the_day_the_julian_day_and_the_weekday() -> None:
    data = message("Sun, 2 Mar 2025 23:14:00 -0800")
    assert shown('date :originalzone :matches "date" "weekday"', data) == "0"
    assert shown('date :zone "+0100" :matches "date" "weekday"', data) == "1"
    assert shown('date :zone "+0100" :matches "date" "std11"', data) == (
        "Mon, 03 Mar 2025 08:14:00 +0100"
    )
    assert shown('date :zone "-0800" :matches "date" "julian"', data) == "60736"
    assert shown('date :zone "+0000" :matches "date" "julian"', data) == "60737"


def test_a_zero_offset_has_a_plus_sign_and_iso8601_writes_it_z() -> None:
    # RFC 5260 §4.2: "An offset of 0 (Zulu) always has a positive sign."
    data = message("Fri, 20 Nov 2009 17:41:07 -0000")
    assert shown('date :originalzone :matches "date" "zone"', data) == "+0000"
    assert shown('date :originalzone :matches "date" "iso8601"', data) == "2009-11-20T17:41:07Z"


# RFC 5260 §4: examples in the spirit of the RFC's.


def test_mail_sent_outside_office_hours_goes_to_a_folder() -> None:
    source = """
        if anyof(date :originalzone :value "lt" "date" "hour" "09",
                 date :originalzone :value "ge" "date" "hour" "17") {
            fileinto "After hours";
        }"""
    assert folders(run(source, message("Mon, 3 Mar 2025 22:30:00 +0100"))) == ["After hours"]
    assert folders(run(source, message("Mon, 3 Mar 2025 10:30:00 +0100"))) == []


def test_a_header_date_and_the_current_date_build_a_folder_name() -> None:
    source = """
        if currentdate :matches "year" "*" { set "year" "${1}"; }
        if date :zone "+0000" :matches "date" "month" "*" { set "month" "${1}"; }
        fileinto "Archive/${year}/${month}";"""
    assert folders(run(source)) == ["Archive/2026/03"]


def test_currentdate_switches_a_rule_on_for_a_period() -> None:
    source = """
        if allof(currentdate :value "ge" "date" "2026-11-01",
                 currentdate :value "le" "date" "2026-11-30") {
            fileinto "November";
        }"""
    assert folders(run(source)) == ["November"]


# Reading dates from header fields (RFC 5322 §3.3 and the obsolete forms of §4.3).

OBSOLETE = [
    # (Date field, iso8601 in the original zone)
    ("20 Nov 2009 17:41:07 +0100", "2009-11-20T17:41:07+01:00"),  # no day name
    ("Fri , 20 nov 2009 17:41 +0100", "2009-11-20T17:41:00+01:00"),  # no seconds, any case
    ("Fri, 20 November 2009 17:41:07 +0100", "2009-11-20T17:41:07+01:00"),  # month spelt out
    ("Fri (day), 20 (c) Nov 2009 17:41:07 +0100 (CET)", "2009-11-20T17:41:07+01:00"),
    ("20 Nov 09 17:41:07 GMT", "2009-11-20T17:41:07Z"),  # two-digit year, zone name
    ("20 Nov 49 17:41:07 EST", "2049-11-20T17:41:07-05:00"),
    ("20 Nov 50 17:41:07 PDT", "1950-11-20T17:41:07-07:00"),  # Pigeonhole says 2050
    ("20 Nov 109 17:41:07 UT", "2009-11-20T17:41:07Z"),  # three-digit year + 1900
    ("Fri, 20 Nov 2009 17:41:07 A", "2009-11-20T17:41:07Z"),  # military: "-0000"
    ("Fri, 20 Nov 2009 17:41:07", "2009-11-20T17:41:07Z"),  # no zone at all
    ("Fri, 20 Nov 2009 23:59:60 +0000", "2009-11-20T23:59:60Z"),  # a leap second
    ("Mon, 20 Nov 2009 17:41:07 +0000", "2009-11-20T17:41:07Z"),  # a wrong day name
]


@pytest.mark.parametrize(("field", "iso8601"), OBSOLETE)
def test_obsolete_date_syntax_is_read(field: str, iso8601: str) -> None:
    assert shown('date :originalzone :matches "date" "iso8601"', message(field)) == iso8601


@pytest.mark.parametrize(
    "field",
    [
        "yesterday, around noon",
        "Fri, 31 Feb 2009 17:41:07 +0000",  # no such day
        "Fri, 29 Feb 1900 12:00:00 +0000",  # 1900 was no leap year
        "Fri, 20 Nov 2009 5:4:7 +0100",  # one-digit time fields
        "Fri, 20 Nov 2009 24:00:00 +0000",
        "Fri, 20 Foo 2009 17:41:07 +0000",
        "",
    ],
)
def test_a_field_without_a_valid_date_makes_the_test_false(field: str) -> None:
    source = 'if date :is "date" "year" "2009" { fileinto "yes"; } else { fileinto "no"; }'
    assert folders(run(source, message(field))) == ["no"]


def test_a_missing_or_broken_field_counts_no_dates() -> None:
    source = """
        if date :count "eq" "x-bad-date" "year" "0" { fileinto "bad: 0"; }
        if date :count "eq" "x-missing" "year" "0" { fileinto "missing: 0"; }
        if date :count "eq" "date" "year" "1" { fileinto "date: 1"; }"""
    assert folders(run(source)) == ["bad: 0", "missing: 0", "date: 1"]


def test_the_date_of_a_received_field_follows_its_last_semicolon() -> None:
    assert shown('date :originalzone :matches "received" "iso8601"') == (
        "2025-03-03T08:15:02+01:00"
    )


def test_without_index_only_the_first_field_is_read_as_in_pigeonhole() -> None:
    source = """
        if date :originalzone :is "received" "hour" "08" { fileinto "first"; }
        if date :originalzone :is "received" "hour" "07" { fileinto "second"; }"""
    assert folders(run(source)) == ["first"]


# RFC 5260 §6: :index and :last pick one field.


@pytest.mark.parametrize(
    ("tags", "iso8601"),
    [
        (":index 1", "2025-03-03T08:15:02+01:00"),
        (":index 2", "2025-03-03T07:14:59Z"),
        (":index 3", "2025-03-02T23:14:58-08:00"),
        (":index 1 :last", "2025-03-02T23:14:58-08:00"),
        (":index 3 :last", "2025-03-03T08:15:02+01:00"),
        (":index 4", None),
        (":index 0", None),
    ],
)
def test_index_picks_one_received_field(tags: str, iso8601: str | None) -> None:
    assert shown(f'date :originalzone {tags} :matches "received" "iso8601"') == iso8601


def test_the_oldest_received_date_tells_how_long_delivery_took() -> None:
    source = """
        if date :zone "+0000" :index 1 :last :matches "received" "iso8601" "*" {
            set "sent" "${1}";
        }
        if date :zone "+0000" :value "gt" :index 1 "received" "iso8601" "${sent}" {
            fileinto "took a while";
        }"""
    assert folders(run(source)) == ["took a while"]


# currentdate (RFC 5260 §5).


def test_currentdate_reads_the_hosts_clock_in_the_servers_zone() -> None:
    assert shown('currentdate :matches "std11"') == "Sat, 28 Nov 2026 12:00:05 +0000"
    assert shown('currentdate :zone "-0330" :matches "time"') == "08:30:05"
    assert shown('currentdate :matches "weekday"') == "6"
    assert shown('currentdate :matches "julian"') == "61372"
    berlin = ZonedHost(clock=lambda: NOW, minutes=60)
    assert shown('currentdate :matches "iso8601"', host=berlin) == "2026-11-28T13:00:05+01:00"


def test_currentdate_sees_one_instant_for_the_whole_run() -> None:
    ticks = iter(NOW + timedelta(seconds=n) for n in range(100))
    host = sieve.MemoryHost(clock=lambda: next(ticks))
    source = """
        if currentdate :matches "second" "*" { set "first" "${1}"; }
        if currentdate :matches "second" "*" { set "second" "${1}"; }
        if string :is "${first}" "${second}" { fileinto "same"; }"""
    assert folders(run(source, host=host)) == ["same"]


def test_a_naive_clock_is_read_as_utc() -> None:
    naive = sieve.MemoryHost(clock=lambda: datetime(2026, 1, 2, 3, 4, 5))
    assert shown('currentdate :matches "iso8601"', host=naive) == "2026-01-02T03:04:05Z"


def test_an_aware_clock_keeps_its_instant() -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    host = sieve.MemoryHost(clock=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=india))
    assert shown('currentdate :matches "iso8601"', host=host) == "2026-01-01T21:34:05Z"


# Arguments that can only be wrong at run time, through variables.


def test_a_bad_zone_from_a_variable_falls_back_to_the_local_zone_with_a_warning() -> None:
    source = """
        set "zone" "bogus";
        if date :zone "${zone}" :matches "date" "zone" "*" { fileinto "${1}"; }"""
    document = run(source, host=ZonedHost(clock=lambda: NOW, minutes=-300))
    assert folders(document) == ["-0500"]
    assert [warning["code"] for warning in document["warnings"]] == ["bad-zone"]


def test_a_zone_from_a_variable_is_used() -> None:
    source = """
        set "zone" "+0130";
        if date :zone "${zone}" :matches "date" "time" "*" { fileinto "${1}"; }"""
    assert folders(run(source, message("20 Nov 2009 10:00:00 +0000"))) == ["11:30:00"]


def test_an_unknown_date_part_from_a_variable_makes_the_test_false_with_a_warning() -> None:
    source = """
        set "part" "fortnight";
        if date :matches "date" "${part}" "*" { fileinto "yes"; } else { fileinto "no"; }"""
    document = run(source)
    assert folders(document) == ["no"]
    assert [warning["code"] for warning in document["warnings"]] == ["bad-date-part"]


def test_a_shift_past_year_9999_gives_no_value() -> None:
    data = message("Fri, 31 Dec 9999 23:00:00 -0200")
    assert shown('date :originalzone :matches "date" "julian"', data) == "2973483"
    assert shown('date :zone "+0000" :matches "date" "year"', data) is None


# The date functions themselves.


def test_std11_writes_a_date_field_value() -> None:
    assert std11(datetime(2025, 3, 3, 8, 5, 9, tzinfo=timezone(timedelta(hours=1)))) == (
        "Mon, 03 Mar 2025 08:05:09 +0100"
    )


aware_datetimes = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.integers(min_value=-23 * 60, max_value=23 * 60).map(
        lambda minutes: timezone(timedelta(minutes=minutes))
    ),
)


@settings(max_examples=200, deadline=None)
@given(aware_datetimes)
def test_a_written_date_reads_back_as_the_same_instant(when: datetime) -> None:
    when = when.replace(microsecond=0)
    moment = parse_date(std11(when))
    assert moment == moment_of(when)
    assert moment is not None
    local = when.astimezone(UTC)
    assert date_part(moment, 0, "date") == f"{local.year:04d}-{local.month:02d}-{local.day:02d}"
    assert date_part(moment, 0, "weekday") == str(local.isoweekday() % 7)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_a_date_or_none_and_never_an_error(text: str) -> None:
    moment = parse_date(text)
    if moment is not None:
        assert all(isinstance(date_part(moment, 0, part), str | None) for part in DATE_PARTS)


def test_hostile_fields_are_read_in_linear_time() -> None:
    hostile = [
        "(" * 100_000,
        "1 " * 100_000,
        "Fri, " + " " * 100_000 + "20 Nov",
        ";" * 100_000,
        "\\(" * 50_000,
    ]
    started = time.perf_counter()
    assert all(parse_date(text) is None for text in hostile)
    assert time.perf_counter() - started < 1.0
