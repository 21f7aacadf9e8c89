"""Commands whose implementation lands with later work; each says so in one line instead of failing obscurely."""

from __future__ import annotations

from ingot.errors import IngotError

PENDING = {
}


class NotAvailable(IngotError):
    exit_code = 2


def register(subparsers) -> None:
    for name, summary in PENDING.items():
        parser = subparsers.add_parser(name, help=f"{summary} (not available yet)", description=summary)
        parser.set_defaults(handler=_not_available(name))


def _not_available(name: str):
    def handler(args, settings) -> int:
        raise NotAvailable(f"this version of ingot does not provide '{name}' yet")

    return handler
