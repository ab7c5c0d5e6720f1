"""`sieve serve --config FILE`: the CLI front of the content filter."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any


def configure(serve: argparse.ArgumentParser, dialects: list[str], capability_list: Any) -> None:
    """Adds `sieve serve`'s options to the parser that sieve/cli.py made for it (the service
    reads its dialect and capabilities from the configuration file, not the command line)."""
    serve.description = (
        "Filter mail between an MTA and its next hop (see sieve/serve/config.py "
        "for the configuration file)."
    )
    serve.set_defaults(handler=command_serve)
    serve.add_argument("--config", required=True, metavar="FILE", help="the TOML configuration")
    serve.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))


def command_serve(args: argparse.Namespace) -> int:
    from sieve.serve.config import ConfigError, load_config, next_hop_settings
    from sieve.serve.service import run

    try:
        config = load_config(args.config)
        next_hop_settings(config)  # reads the password file: a missing one is a usage error
    except ConfigError as error:
        print(f"sieve serve: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=args.log_level, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    # aiosmtpd logs every SMTP command at INFO; our one line per message says what matters.
    logging.getLogger("mail.log").setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        return run(config)
    except ConfigError as error:  # a [mapping] file that cannot be used
        print(f"sieve serve: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"sieve serve: {error.strerror or error}", file=sys.stderr)
        return 2
