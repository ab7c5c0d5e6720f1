"""RFC 5233: subaddress. Two address parts that split a local part such as "ken+sieve" at
the implementation's separator: `:user` ("ken") and `:detail` ("sieve")."""

from sieve.extensions.spec import ADDRESS_PART, Extension, Tag

EXTENSION = Extension(
    capability="subaddress",
    summary="RFC 5233: the :user and :detail address parts",
    # RFC 5233: ADDRESS-PART =/ ":user" / ":detail", on every test that takes
    # ADDRESS-PART (address, envelope, ...).
    group_tags=(
        Tag("user", group=ADDRESS_PART),
        Tag("detail", group=ADDRESS_PART),
    ),
)
