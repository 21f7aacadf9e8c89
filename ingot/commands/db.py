"""``ingot db``: create or upgrade the schema, and say where the database is."""

from __future__ import annotations

from ingot.database import connect, describe_url, resolve_database_url
from ingot.migrations import upgrade
from ingot.paths import MIGRATIONS_DIR


def register(subparsers) -> None:
    db = subparsers.add_parser("db", help="manage the news database", description="Manage the news database.")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = actions.add_parser(
        "upgrade",
        help="apply pending schema migrations",
        description="Apply the numbered migrations of sql/migrations that this database has not run yet. "
        "Running it again is a no-op.",
    )
    up.set_defaults(handler=run_upgrade)
    url = actions.add_parser(
        "url",
        help="print the URL of the database in use",
        description='Print the URL of the database in use (starting the embedded server if needed), '
        'so that `psql "$(ingot db url)"` opens it.',
    )
    url.set_defaults(handler=run_url)


def run_upgrade(args, settings) -> int:
    url = resolve_database_url(settings)
    with connect(url) as conn:
        applied = upgrade(conn, MIGRATIONS_DIR)
    if applied:
        for migration in applied:
            print(f"applied {migration.version:04d}.{migration.name}")
    else:
        print(f"schema of {describe_url(url)} is up to date")
    return 0


def run_url(args, settings) -> int:
    print(resolve_database_url(settings))
    return 0
