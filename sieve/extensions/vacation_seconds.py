"""RFC 6131: vacation-seconds, the `:seconds` period for `vacation` (0 means answer every
message), in place of `:days`. Only a declaration: vacation.py reads the period."""

from sieve.extensions.spec import Arg, Extension, Tag
from sieve.extensions.vacation import PERIOD

EXTENSION = Extension(
    capability="vacation-seconds",
    summary="RFC 6131: vacation :seconds",
    # RFC 6131 §2: `vacation [":days" number | ":seconds" number] ...`; both at once "MUST
    # result in a Sieve processing error", hence the group shared with vacation's :days.
    extra_tags=(("vacation", (Tag("seconds", Arg.NUMBER, group=PERIOD),)),),
    # RFC 6131 §2: "vacation-seconds implies vacation, and a script with vacation-seconds in
    # a require list can omit vacation from that list" (Pigeonhole accepts such a script).
    implies=("vacation",),
)
