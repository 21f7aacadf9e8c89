"""``ingot db``: create or upgrade the schema, say where the database is, and let analysts in."""

from __future__ import annotations

from ingot.database import connect, describe_url, resolve_database_url
from ingot.embedded_listen import parse_listen
from ingot.errors import MigrationError
from ingot.migrations import upgrade
from ingot.paths import MIGRATIONS_DIR
from ingot.reader_login import ensure_reader_login, reader_password, reader_url


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
    reader = actions.add_parser(
        "reader-url",
        help="create the analysts' read-only login and print its URL",
        description="Create (or update) the login ingot_analyst, a member of the read-only role ingot_reader that "
        "sees only the schema news, and print its URL for psql or a BI tool: psql \"$(ingot db reader-url)\". "
        "The password is INGOT_READER_PASSWORD, else one generated once and kept in INGOT_HOME. With INGOT_LISTEN "
        "set, the URL reaches the embedded server over TCP on 127.0.0.1.",
    )
    reader.add_argument("--demo", action="store_true", help="the database `ingot demo` filled")
    reader.add_argument("--host", help="host to print in the URL (e.g. 127.0.0.1 outside docker-compose)")
    reader.add_argument("--port", type=int, help="port to print in the URL")
    reader.set_defaults(handler=run_reader_url)


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


def run_reader_url(args, settings) -> int:
    if args.demo:
        from ingot.commands.demo import demo_database_url

        url = demo_database_url(settings)
    else:
        url = resolve_database_url(settings)
    host, port = args.host, args.port
    if not settings.database_url and settings.listen and not host:
        host, port = parse_listen(settings.listen)
    password = reader_password(settings)
    with connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'news'").fetchone():
            raise MigrationError(f"{describe_url(url)} has no schema news yet: run `ingot db upgrade` first")
        ensure_reader_login(conn, password)
    print(reader_url(url, password, host=host, port=port))
    return 0
