"""The ``ingot`` command: a thin layer over package functions.

Each command group lives in its own module under ``ingot.commands`` and exposes ``register(subparsers)``; the
handler it sets receives the parsed arguments and a ``Settings``. Expected failures (``IngotError``) print one
line and exit non-zero; anything else is a bug and keeps its traceback. A reader that leaves early
(``ingot export ... | head -1``) ends the command quietly with status 141, as SIGPIPE ends cat or grep: the
output was cut short, so the status is not 0.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from ingot.errors import IngotError
from ingot.settings import Settings

COMMAND_MODULES = (
    "ingot.commands.db",
    "ingot.commands.sites",
    "ingot.commands.crawl",
    "ingot.commands.extract",
    "ingot.commands.index",
    "ingot.commands.search",
    "ingot.commands.export",
    "ingot.commands.retention",
    "ingot.commands.run",
    "ingot.commands.demo",
    "ingot.commands.airflow",
)


BROKEN_PIPE_STATUS = 128 + 13  # killed by SIGPIPE, as a shell reports it


def discard_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush of a closed pipe raises nothing."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ingot",
        description="Collect metals and low-carbon industry news, clean it and serve it from Postgres.",
        epilog="Configuration comes from the environment: INGOT_DATABASE_URL (unset: embedded PostgreSQL), "
        "INGOT_HOME, INGOT_SITES_DIR, INGOT_CONTACT_URL.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        status = args.handler(args, Settings.from_env()) or 0
        sys.stdout.flush()  # a closed pipe shows here rather than at exit
        return status
    except BrokenPipeError:
        discard_stdout()
        return BROKEN_PIPE_STATUS
    except IngotError as error:
        print(f"ingot {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"ingot {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
