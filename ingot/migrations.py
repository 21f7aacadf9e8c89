"""A small migration runner for the numbered SQL files in sql/migrations.

Each file ``NNNN.description.sql`` runs once, inside its own transaction, and is recorded in
``schema_migration`` with the sha256 of its text. The runner refuses to touch a database whose recorded history
disagrees with the files: a recorded migration whose file is gone or was edited, or a new file numbered below one
already applied. Fixing history is a human decision; the runner never drops anything.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from ingot.errors import MigrationError

FILE_PATTERN = re.compile(r"^(\d{4})\.([a-z0-9][a-z0-9-]*)\.sql$")

# "Migrations running" is a lock on the history table itself, taken per migration: two upgrades started at once
# apply each file once, and a role without privileges on the table (the analysts' reader) cannot take it to hold
# an upgrade up, as it could an advisory lock (pg_advisory_lock is open to every role).
HISTORY_LOCK = "LOCK TABLE schema_migration IN EXCLUSIVE MODE"

HISTORY_DDL = """
CREATE TABLE IF NOT EXISTS schema_migration (
    version     integer PRIMARY KEY,
    name        text        NOT NULL,
    sha256      text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def load_migrations(directory: Path) -> list[Migration]:
    """The migration files of ``directory`` in order; a misnamed or duplicated number is an error."""
    migrations: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = FILE_PATTERN.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files are named NNNN.description.sql; rename it")
        version = int(match.group(1))
        if version in migrations:
            raise MigrationError(f"{path}: number {version} is used twice in {directory}; renumber one of them")
        migrations[version] = Migration(version, match.group(2), path.read_text(encoding="utf-8"))
    return [migrations[v] for v in sorted(migrations)]


def pending_migrations(files: list[Migration], applied: dict[int, tuple[str, str]]) -> list[Migration]:
    """The files still to apply, after checking that ``applied`` (version → name, sha256) agrees with them."""
    by_version = {m.version: m for m in files}
    for version, (name, sha256) in sorted(applied.items()):
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"the database has migration {version:04d}.{name} but sql/migrations has no such file; "
                "restore the file or use the code version that created this database"
            )
        if migration.sha256 != sha256:
            raise MigrationError(
                f"sql/migrations/{version:04d}.{migration.name}.sql was edited after it was applied; "
                "restore it and put the change in a new numbered migration"
            )
    newest_applied = max(applied, default=0)
    pending = [m for m in files if m.version not in applied]
    late = [m for m in pending if m.version < newest_applied]
    if late:
        raise MigrationError(
            f"migration {late[0].version:04d}.{late[0].name} is numbered below {newest_applied:04d}, "
            "which is already applied; renumber it above the newest applied migration"
        )
    return pending


def upgrade(conn: psycopg.Connection, directory: Path) -> list[Migration]:
    """Apply every pending migration of ``directory``; returns those applied (empty when up to date)."""
    files = load_migrations(directory)
    conn.autocommit = True
    _create_history(conn)
    applied_now: list[Migration] = []
    while True:
        with conn.transaction():  # one migration per transaction, the history read again under its lock
            conn.execute(HISTORY_LOCK)
            rows = conn.execute("SELECT version, name, sha256 FROM schema_migration").fetchall()
            pending = pending_migrations(files, {v: (n, s) for v, n, s in rows})
            if not pending:
                return applied_now
            apply_migration(conn, pending[0])
        applied_now.append(pending[0])


def _create_history(conn: psycopg.Connection) -> None:
    """The history table, created once even when two upgrades start together on an empty database."""
    try:
        conn.execute(HISTORY_DDL)
    except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable):
        pass  # the other upgrade created it a moment before


def apply_migration(conn: psycopg.Connection, migration: Migration) -> None:
    try:
        with conn.transaction():
            conn.execute(migration.sql)
            conn.execute(
                "INSERT INTO schema_migration (version, name, sha256) VALUES (%s, %s, %s)",
                (migration.version, migration.name, migration.sha256),
            )
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise MigrationError(
            f"migration {migration.version:04d}.{migration.name} failed and was rolled back: {first_line}"
        ) from None
