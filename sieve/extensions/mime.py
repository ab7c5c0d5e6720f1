"""RFC 5703 §4: the `:mime` and `:anychild` tags of header, address and exists, and the
MIME options that read one part of a Content-Type style header field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import Arg, Extension, Tag
from sieve.runtime.fields import select

# The message model's MIME field parsing (comments, type/subtype, RFC 2231 parameters), so
# that :param and the model's Part.params can never disagree.
from sieve.runtime.mime_parts import parse_mime_field

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.message import Message
    from sieve.runtime.mime_parts import Part
    from sieve.runtime.vm import Run

MIME_OPTION = "mime-option"

# RFC 5703 §4: ":mime" parses the header field as MIME; ":anychild" (only inside
# foreverypart, and only with ":mime") looks at every child of the current part.
MIME_TAGS = (Tag("mime"), Tag("anychild", needs_tag="mime"))

EXTENSION = Extension(
    capability="mime",
    summary="RFC 5703: :mime and :anychild on header, address and exists",
    extra_tags=(
        # RFC 5703 §4.1: header [":mime"] [":anychild"] [MIME-OPTS] [COMPARATOR]
        #   [MATCH-TYPE] <header-names: string-list> <key-list: string-list>
        # MIME-OPTS = ":type" / ":subtype" / ":contenttype" / ":param" <param-list>; they
        # need ":mime".
        (
            "header",
            (
                *MIME_TAGS,
                Tag("type", group=MIME_OPTION, needs_tag="mime"),
                Tag("subtype", group=MIME_OPTION, needs_tag="mime"),
                Tag("contenttype", group=MIME_OPTION, needs_tag="mime"),
                Tag("param", Arg.STRING_LIST, group=MIME_OPTION, needs_tag="mime"),
            ),
        ),
        # RFC 5703 §4.2: address [":mime"] [":anychild"] [COMPARATOR] [ADDRESS-PART]
        #   [MATCH-TYPE] <header-list: string-list> <key-list: string-list>
        ("address", MIME_TAGS),
        # RFC 5703 §4.3: exists [":mime"] [":anychild"] <header-names: string-list>
        ("exists", MIME_TAGS),
    ),
)

# The tags change header, address and exists, implemented in core.py and fields.py; this
# module adds what :type, :subtype, :contenttype and :param read.


def mime_option_values(run: Run, args: Args, source: Message | Part, name: str) -> list[str]:
    """RFC 5703 §4.1: what `header :mime` with :type, :subtype, :contenttype or :param
    compares for the fields named `name` of one part.

    Content-Type gives its type, subtype, "type/subtype" or parameter values (RFC 2231
    decoded), as written (case kept); Content-Disposition gives its disposition type for
    :type and :contenttype, and "" for :subtype. As in Pigeonhole, every field gives at least
    one value: "" when it is some other field, does not parse, or has none of the
    parameters asked for (so `:count` counts fields, and `:is ""` finds them)."""
    fields = select(args, run, run.raw_header(name, source))
    if not fields:
        return []
    key = name.lower()
    wanted = [param.lower() for param in run.strings(args.tags.get("param"))]
    values: list[str] = []
    for field in fields:
        found = _field_values(key, field, args, wanted)
        values.extend(found or [""])
    return values


def _field_values(key: str, field: str, args: Args, wanted: list[str]) -> list[str]:
    if key not in ("content-type", "content-disposition"):
        return []
    parsed = parse_mime_field(field, disposition=key == "content-disposition")
    if parsed is None:
        return []
    kind, subtype, params = parsed
    if "type" in args.tags:
        return [kind]
    if "subtype" in args.tags:
        return [subtype]
    if "contenttype" in args.tags:
        return [f"{kind}/{subtype}" if key == "content-type" else kind]
    return [params[name] for name in wanted if name in params]
