"""Shared test harness: a real, throwaway PostgreSQL and the loopback fixture web.

The database is the embedded server (pgserver) in a temporary folder, or the server named by
INGOT_TEST_DATABASE_URL (a maintenance URL of a server where the tests may create databases). Each test session
gets a fresh database with every migration applied; tests that use ``db_url`` start from empty tables.
"""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from ingot.database import start_embedded_server, stop_embedded_server
from ingot.fixture_web import FixtureWeb
from ingot.migrations import upgrade
from ingot.paths import FIXTURE_WEB_DIR, MIGRATIONS_DIR

KEEP_TABLES = {"schema_migration"}


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory) -> str:
    """Maintenance URL of a PostgreSQL server the tests may create databases on."""
    configured = os.environ.get("INGOT_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    data_dir = tmp_path_factory.mktemp("pg") / "data"
    yield start_embedded_server(data_dir)
    stop_embedded_server(data_dir)  # the embedded server outlives its starter; tests leave none running


@pytest.fixture(scope="session")
def migrated_db_url(pg_server_url) -> str:
    """A fresh database for this session, with every migration applied."""
    name = f"ingot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(pg_server_url, dbname=name)
    with psycopg.connect(url) as conn:
        upgrade(conn, MIGRATIONS_DIR)
    yield url
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def db_url(migrated_db_url) -> str:
    """The session database with every table emptied before the test."""
    truncate_all(migrated_db_url)
    return migrated_db_url


def truncate_all(url: str) -> None:
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            if row[0] not in KEEP_TABLES
        ]
        if tables:
            conn.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(sql.Identifier(t) for t in tables)
                )
            )


@pytest.fixture(scope="session")
def fixture_web_server() -> FixtureWeb:
    with FixtureWeb(FIXTURE_WEB_DIR) as web:
        yield web


@pytest.fixture
def fixture_web(fixture_web_server) -> FixtureWeb:
    """The fixture web on 127.0.0.1, with an empty request log."""
    fixture_web_server.clear_log()
    return fixture_web_server

