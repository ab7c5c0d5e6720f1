"""The names of Sieve commands and tests that the front end knows without the extension
registry: RFC 5228, its extensions and the Oracle Messaging Server ones. The highlighter
colours them and the prose detector tells them from English words.
"""

# Control commands (RFC 5228, 5703, 6609).
CONTROL_COMMANDS = (
    "break",
    "else",
    "elsif",
    "foreverypart",
    "global",
    "if",
    "include",
    "require",
    "return",
    "stop",
)

# Action commands from the base spec and the common extensions.
ACTION_COMMANDS = (
    "addflag",
    "addheader",
    "addtag",
    "convert",
    "debug_log",
    "deleteheader",
    "discard",
    "enclose",
    "ereject",
    "error",
    "execute",
    "extracttext",
    "fileinto",
    "filter",
    "jettison",
    "keep",
    "notify",
    "pipe",
    "redirect",
    "reject",
    "removeflag",
    "replace",
    "set",
    "setflag",
    "snooze",
    "spamadjust",
    "vacation",
)

# Test names.  We lex them as Name.Function: a Sieve test is a predicate
# applied to its arguments, which is the closest match among Pygments'
# standard token types and keeps them visually distinct from actions.
TEST_NAMES = (
    "address",
    "allof",
    "anyof",
    "body",
    "currentdate",
    "date",
    "duplicate",
    "envelope",
    "environment",
    "exists",
    "false",
    "hasflag",
    "header",
    "ihave",
    "mailboxexists",
    "metadata",
    "metadataexists",
    "not",
    "notify_method_capability",
    "servermetadata",
    "servermetadataexists",
    "size",
    "spamtest",
    "specialuse_exists",
    "string",
    "true",
    "valid_ext_list",
    "valid_notify_method",
    "virustest",
)

SIEVE_NAMES = frozenset((*CONTROL_COMMANDS, *ACTION_COMMANDS, *TEST_NAMES, "erejec", "text"))
