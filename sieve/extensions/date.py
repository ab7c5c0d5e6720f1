"""RFC 5260 §4–5: the date and currentdate tests, which compare one part of a date, taken
from a header field or from the time of the script run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    Extension,
    Positional,
    Signature,
    Tag,
    TestSpec,
)
from sieve.runtime.behaviour import Behaviour
from sieve.runtime.fields import select

if TYPE_CHECKING:
    from sieve.compiler.program import Constant
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

ZONE = "zone"

# RFC 5260 §4.2: the date parts a script may ask for.
DATE_PARTS = (
    "year",
    "month",
    "day",
    "date",
    "julian",
    "hour",
    "minute",
    "second",
    "time",
    "iso8601",
    "std11",
    "zone",
    "weekday",
)

EXTENSION = Extension(
    capability="date",
    summary="RFC 5260: the date and currentdate tests",
    tests=(
        # RFC 5260 §4: date [<":zone" <time-zone: string>> / ":originalzone"]
        #   [COMPARATOR] [MATCH-TYPE] <header-name: string> <date-part: string>
        #   <key-list: string-list>
        TestSpec(
            "date",
            Signature(
                (
                    Positional("header-name", Arg.STRING, role="header-name"),
                    Positional("date-part", Arg.STRING, values=DATE_PARTS),
                    Positional("key-list", Arg.STRING_LIST),
                ),
                # RFC 5260 §4.1: ":zone" and ":originalzone" exclude each other.
                tags=(Tag("zone", Arg.STRING, group=ZONE), Tag("originalzone", group=ZONE)),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
        # RFC 5260 §5: currentdate [":zone" <time-zone: string>] [COMPARATOR] [MATCH-TYPE]
        #   <date-part: string> <key-list: string-list>
        # The current time has no original zone, so ":originalzone" is not offered here.
        TestSpec(
            "currentdate",
            Signature(
                (
                    Positional("date-part", Arg.STRING, values=DATE_PARTS),
                    Positional("key-list", Arg.STRING_LIST),
                ),
                tags=(Tag("zone", Arg.STRING, group=ZONE),),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
)

BEHAVIOUR = Behaviour()

# The run-time half: reading RFC 5322 dates, shifting them between zones, and printing the
# date parts of RFC 5260 §4.2. Dates are kept as whole seconds since 0001-01-01T00:00Z (the
# proleptic Gregorian calendar of `datetime.date.toordinal`), so no arithmetic can overflow
# and every year from 0001 to 9999 works (Pigeonhole, using time_t, refuses years before 1970).

_DAY = 86_400
_MJD_EPOCH = date(1858, 11, 17).toordinal()  # RFC 5260 §4.2: day 0 of the Modified Julian Day
_MAX_ORDINAL = date.max.toordinal()
_LONGEST_DATE = 256  # a longer field (comments stripped) holds no date-time worth reading

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")

# RFC 5322 §4.3: the obsolete zone names with a defined offset, in minutes.
_ZONE_NAMES = {
    "ut": 0,
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "est": -300,
    "edt": -240,
    "cst": -360,
    "cdt": -300,
    "mst": -420,
    "mdt": -360,
    "pst": -480,
    "pdt": -420,
}

# RFC 5322 §3.3 date-time, with the obsolete forms of §4.3: optional day name (its comma
# optional too), one- or two-digit day, month names any case, two-, three- or four-digit
# years, optional seconds, and a numeric, named or missing zone. Comments are gone by now.
_DATE_TIME = re.compile(
    r"\s*(?:[A-Za-z]+\s*,?\s*)?"
    r"(\d{1,2})\s*([A-Za-z]+)\s*(\d{2,4})\s+"
    r"(\d\d)\s*:\s*(\d\d)(?:\s*:\s*(\d\d))?"
    r"\s*(?:([+-])(\d\d)(\d\d)|([A-Za-z]+))?\s*",
    re.ASCII,
)
_TIME_ZONE = re.compile(r"([+-])(\d\d)(\d\d)", re.ASCII)


@dataclass(frozen=True, slots=True)
class Moment:
    """One instant and the zone it was written in; `leap` keeps a ":60" second."""

    seconds: int  # since 0001-01-01T00:00:00Z
    zone: int  # minutes east of UTC
    leap: bool = False


def parse_date(text: str) -> Moment | None:
    """The date-time of a header field (RFC 5322 §3.3, §4.3), or None when there is none.

    Like Pigeonhole, the date is what follows the last ";" when there is one (the Received
    field, RFC 5321 §4.4, puts it there). Days that do not exist (31 Feb) are not dates."""
    if ";" in text:
        text = text.rpartition(";")[2]
    text = _strip_comments(text)
    if len(text) > _LONGEST_DATE:
        return None
    found = _DATE_TIME.fullmatch(text)
    if found is None:
        return None
    day, month_name, year_text, hour, minute, second, sign, zone_hours, zone_minutes, zone_name = (
        found.groups()
    )
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    year = int(year_text)
    # RFC 5322 §4.3: a two-digit year below 50 is 20xx, otherwise 19xx; a three-digit year
    # adds 1900. (Pigeonhole reads "50" as 2050.)
    if len(year_text) == 2:
        year += 2000 if year < 50 else 1900
    elif len(year_text) == 3:
        year += 1900
    h, m, s = int(hour), int(minute), int(second or 0)
    if h > 23 or m > 59 or s > 60 or year < 1:
        return None
    try:
        ordinal = date(year, month, int(day)).toordinal()
    except ValueError:
        return None
    if sign is not None:
        zone = (int(zone_hours) * 60 + int(zone_minutes)) * (-1 if sign == "-" else 1)
    else:
        # RFC 5322 §4.3: military and unknown zone names mean "-0000", an unknown offset,
        # which is UTC; a missing zone (not even obsolete syntax) is read the same way.
        zone = _ZONE_NAMES.get((zone_name or "").lower(), 0)
    leap = s == 60
    local = ordinal * _DAY + h * 3600 + m * 60 + (59 if leap else s)
    return Moment(local - zone * 60, zone, leap)


def moment_of(when: datetime) -> Moment:
    """An aware datetime (a naive one is taken as UTC) as a Moment in its own zone."""
    offset = when.utcoffset()
    zone = int(offset.total_seconds() // 60) if offset is not None else 0
    local = when.toordinal() * _DAY + when.hour * 3600 + when.minute * 60 + when.second
    return Moment(local - zone * 60, zone)


def parse_zone(text: str) -> int | None:
    """RFC 5260 §4.1: a ":zone" argument is "+hhmm" or "-hhmm"; minutes east of UTC."""
    found = _TIME_ZONE.fullmatch(text.strip())
    if found is None:
        return None
    sign, hours, minutes = found.groups()
    return (int(hours) * 60 + int(minutes)) * (-1 if sign == "-" else 1)


def date_part(moment: Moment, zone: int, part: str) -> str | None:
    """RFC 5260 §4.2: one part of `moment` as seen in `zone`; None when the shift leaves
    the years 0001 to 9999."""
    local = moment.seconds + zone * 60
    ordinal, seconds = divmod(local, _DAY)
    if not 1 <= ordinal <= _MAX_ORDINAL:
        return None
    day = date.fromordinal(ordinal)
    hour, rest = divmod(seconds, 3600)
    minute, second = divmod(rest, 60)
    if moment.leap:
        second = 60
    sign = "-" if zone < 0 else "+"  # RFC 5260 §4.2: "An offset of 0 ... has a positive sign"
    zone_hours, zone_minutes = divmod(abs(zone), 60)
    clock = f"{hour:02d}:{minute:02d}:{second:02d}"
    if part == "year":
        return f"{day.year:04d}"
    if part == "month":
        return f"{day.month:02d}"
    if part == "day":
        return f"{day.day:02d}"
    if part == "date":
        return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    if part == "julian":
        return str(ordinal - _MJD_EPOCH)
    if part == "hour":
        return f"{hour:02d}"
    if part == "minute":
        return f"{minute:02d}"
    if part == "second":
        return f"{second:02d}"
    if part == "time":
        return clock
    if part == "iso8601":
        # RFC 3339 §5.6; like Pigeonhole, a zero offset is written "Z".
        offset = "Z" if zone == 0 else f"{sign}{zone_hours:02d}:{zone_minutes:02d}"
        return f"{day.year:04d}-{day.month:02d}-{day.day:02d}T{clock}{offset}"
    if part == "std11":
        # RFC 5322 §3.3, the form a Date: field takes.
        return (
            f"{_DAY_NAMES[ordinal % 7]}, {day.day:02d} {_MONTH_NAMES[day.month - 1]} "
            f"{day.year:04d} {clock} {sign}{zone_hours:02d}{zone_minutes:02d}"
        )
    if part == "zone":
        return f"{sign}{zone_hours:02d}{zone_minutes:02d}"
    if part == "weekday":
        # RFC 5260 §4.2: "0" is Sunday. Ordinal 1 (0001-01-01) was a Monday.
        return str(ordinal % 7)
    return None


def std11(when: datetime) -> str:
    """`when` written as a Date: field value (RFC 5322 §3.3), in its own zone."""
    moment = moment_of(when)
    return date_part(moment, moment.zone, "std11") or ""


def _strip_comments(text: str) -> str:
    """RFC 5322 §3.2.2: comments (nested, with quoted-pairs) are whitespace in a date."""
    if "(" not in text:
        return text
    out: list[str] = []
    depth = 0
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif depth and char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
            if depth == 1:
                out.append(" ")
        elif char == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(char)
    return "".join(out)


# The date and currentdate tests.


@BEHAVIOUR.test("date")
def date_test(run: Run, args: Args) -> bool:
    """RFC 5260 §4: a date part of the date in a header field. As in Pigeonhole, only the
    first field of that name is read unless :index picks another; a field holding no date
    gives no value, so the test is false (and :count counts 0)."""
    name = run.string(args.positionals[0])
    part = _part(run, args.positionals[1])
    if part is None:
        return False
    fields = run.header(name)
    chosen = select(args, run, fields) if "index" in args.tags else fields[:1]
    moments = [moment for moment in map(parse_date, chosen) if moment is not None]
    zone = None if "originalzone" in args.tags or not moments else _zone(run, args)
    values = [date_part(moment, moment.zone if zone is None else zone, part) for moment in moments]
    return run.match(args, [value for value in values if value is not None], args.positionals[2])


@BEHAVIOUR.test("currentdate")
def currentdate(run: Run, args: Args) -> bool:
    """RFC 5260 §5: a date part of the time of the run, read once so that every
    currentdate of one run sees the same instant."""
    part = _part(run, args.positionals[0])
    if part is None:
        return False
    value = date_part(_now(run), _zone(run, args), part)
    return run.match(args, [value] if value is not None else [], args.positionals[1])


def _now(run: Run) -> Moment:
    return moment_of(run.now())


def _part(run: Run, constant: Constant) -> str | None:
    """The date part, any case (RFC 5260 §4.2); an unknown one, possible only through a
    variable, makes the test false with a warning, as in Pigeonhole."""
    part = run.string(constant).lower()
    if part in DATE_PARTS:
        return part
    run.warn("bad-date-part", f"unknown date part {part!r}: the test is false")
    return None


def _zone(run: Run, args: Args) -> int:
    """The zone to show dates in: ":zone", else the server's (RFC 5260 §4.1). A bad zone,
    possible only through a variable, falls back to the server's with a warning, as in
    Pigeonhole."""
    constant = args.tags.get("zone")
    if constant is not None:
        text = run.string(constant)
        zone = parse_zone(text)
        if zone is not None:
            return zone
        run.warn("bad-zone", f"{text!r} is not a time zone (+hhmm or -hhmm): using the local zone")
    return run.host.local_timezone_minutes()
