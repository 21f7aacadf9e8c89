from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from ingot.errors import MigrationError
from ingot.migrations import load_migrations, pending_migrations, upgrade
from ingot.paths import MIGRATIONS_DIR

EXPECTED_TABLES = {"site", "crawl_run", "raw_page", "article", "page_extraction", "schema_migration"}


@pytest.fixture
def empty_db_url(pg_server_url):
    name = "ingot_migration_test"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield make_conninfo(pg_server_url, dbname=name)
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def table_names(url):
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_migrations_apply_cleanly_then_upgrade_is_a_no_op(empty_db_url):
    with psycopg.connect(empty_db_url) as conn:
        first = upgrade(conn, MIGRATIONS_DIR)
    with psycopg.connect(empty_db_url) as conn:
        second = upgrade(conn, MIGRATIONS_DIR)
        recorded = conn.execute("SELECT count(*) FROM schema_migration").fetchone()[0]
    assert [m.version for m in first] == [m.version for m in load_migrations(MIGRATIONS_DIR)]
    assert second == []
    assert recorded == len(first)
    assert EXPECTED_TABLES <= table_names(empty_db_url)


def test_every_timestamp_column_is_timestamptz(migrated_db_url):
    with psycopg.connect(migrated_db_url) as conn:
        naive = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'"
        ).fetchall()
    assert naive == []


def test_a_failing_migration_is_rolled_back_and_not_recorded(empty_db_url, tmp_path):
    (tmp_path / "0001.good.sql").write_text("CREATE TABLE good (id int);")
    (tmp_path / "0002.bad.sql").write_text("CREATE TABLE half (id int); SELECT no_such_function();")
    with psycopg.connect(empty_db_url) as conn, pytest.raises(MigrationError, match="0002.bad failed"):
        upgrade(conn, tmp_path)
    tables = table_names(empty_db_url)
    assert "good" in tables and "half" not in tables
    with psycopg.connect(empty_db_url) as conn:
        assert conn.execute("SELECT array_agg(version) FROM schema_migration").fetchone()[0] == [1]


def test_upgrade_refuses_a_database_whose_history_disagrees_with_the_files(empty_db_url, tmp_path):
    migration = tmp_path / "0001.first.sql"
    migration.write_text("CREATE TABLE first (id int);")
    with psycopg.connect(empty_db_url) as conn:
        upgrade(conn, tmp_path)
    migration.write_text("CREATE TABLE first (id bigint);")
    with psycopg.connect(empty_db_url) as conn, pytest.raises(MigrationError, match="edited after it was applied"):
        upgrade(conn, tmp_path)
    migration.unlink()
    with psycopg.connect(empty_db_url) as conn, pytest.raises(MigrationError, match="has no such file"):
        upgrade(conn, tmp_path)


def write(directory: Path, name: str) -> None:
    (directory / name).write_text("SELECT 1;")


def test_pending_migrations_rejects_a_file_numbered_below_the_newest_applied(tmp_path):
    write(tmp_path, "0001.a.sql")
    write(tmp_path, "0002.b.sql")
    write(tmp_path, "0003.c.sql")
    files = load_migrations(tmp_path)
    applied = {1: ("a", files[0].sha256), 3: ("c", files[2].sha256)}
    with pytest.raises(MigrationError, match="numbered below 0003"):
        pending_migrations(files, applied)
    assert [m.version for m in pending_migrations(files, {1: ("a", files[0].sha256)})] == [2, 3]


@pytest.mark.parametrize("name", ["1.short.sql", "0001_underscore.sql", "0001.Upper.sql"])
def test_misnamed_migration_files_are_errors(tmp_path, name):
    write(tmp_path, name)
    with pytest.raises(MigrationError, match="NNNN.description.sql"):
        load_migrations(tmp_path)
