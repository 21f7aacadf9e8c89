"""``ingot retention``: delete raw pages past the retention period (see ``ingot.retention`` for what is kept)."""

from __future__ import annotations

from datetime import UTC, datetime

from ingot.database import connect, resolve_database_url


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "retention",
        help="delete raw pages past the retention period",
        description="Delete stored raw pages older than the retention period (INGOT_RAW_RETENTION_DAYS, default "
        "90) whose article is stored, and older fetches of list/feed/sitemap pages. Pages not extracted yet and "
        "rejected pages are kept (--rejected deletes old rejected pages too). Articles are never deleted.",
    )
    parser.add_argument("--days", type=int, default=None, help="retention period in days (default: the setting)")
    parser.add_argument("--rejected", action="store_true", help="also delete rejected pages past the period")
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    parser.set_defaults(handler=run_retention)


def run_retention(args, settings) -> int:
    from ingot.errors import ConfigurationError
    from ingot.retention import delete_expired_raw_pages

    days = args.days if args.days is not None else settings.raw_retention_days
    if days < 1:
        raise ConfigurationError(f"the retention period must be at least 1 day, not {days}")
    with connect(resolve_database_url(settings), autocommit=True) as conn:
        summary = delete_expired_raw_pages(conn, days, now=datetime.now(UTC), include_rejected=args.rejected,
                                           dry_run=args.dry_run)
    print(summary.line())
    return 0
