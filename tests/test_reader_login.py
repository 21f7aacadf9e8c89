"""The analysts' login: `ingot db reader-url` creates it and prints a URL that psql and BI tools can use, on the
embedded server (over its socket, or over TCP on 127.0.0.1 with INGOT_LISTEN) and on any other server."""

import os
import socket
import stat
from pathlib import Path

import psycopg
import pytest

from ingot.database import stop_embedded_server
from ingot.embedded_listen import parse_listen
from ingot.errors import ConfigurationError
from ingot.reader_login import READER_LOGIN, ensure_reader_login, reader_password, reader_url
from ingot.settings import Settings
from tests.test_cli import run_ingot


def test_reader_url_keeps_the_database_and_names_the_login():
    assert reader_url("postgresql://ingot:secret@news-db:5432/ingot", "p/w d") == (
        "postgresql://ingot_analyst:p%2Fw%20d@news-db:5432/ingot")
    assert reader_url("postgresql://ingot:secret@news-db:5432/ingot", "pw", host="127.0.0.1", port=5544) == (
        "postgresql://ingot_analyst:pw@127.0.0.1:5544/ingot")
    assert reader_url("user=postgres dbname=ingot_demo host='/tmp/x y/pgdata' port=5433", "pw") == (
        "postgresql://ingot_analyst:pw@/ingot_demo?host=/tmp/x%20y/pgdata&port=5433")


@pytest.mark.parametrize("value, expected", [("5433", ("127.0.0.1", 5433)), ("127.0.0.1:6000", ("127.0.0.1", 6000)),
                                             ("localhost:6000", ("127.0.0.1", 6000))])
def test_listen_takes_a_loopback_port(value, expected):
    assert parse_listen(value) == expected


@pytest.mark.parametrize("value", ["0.0.0.0:5433", "10.0.0.2:5433", "80", "port", "5433:5433"])
def test_listen_refuses_other_addresses_and_ports(value):
    with pytest.raises(ConfigurationError, match="INGOT_LISTEN"):
        parse_listen(value)


def test_the_password_comes_from_the_environment_or_a_private_file(tmp_path):
    assert reader_password(Settings.from_env({"INGOT_HOME": str(tmp_path), "INGOT_READER_PASSWORD": "given"})) == (
        "given")
    settings = Settings.from_env({"INGOT_HOME": str(tmp_path)})
    generated = reader_password(settings)
    assert len(generated) >= 24 and reader_password(settings) == generated
    assert stat.S_IMODE((tmp_path / "reader-password").stat().st_mode) == 0o600


def test_the_login_reads_news_only_with_news_first_and_a_timeout(db_url):
    with psycopg.connect(db_url, autocommit=True) as conn:
        ensure_reader_login(conn, "first")
        ensure_reader_login(conn, "second")  # again: updates, never fails
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (READER_LOGIN,)).fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$") and "second" not in stored
    with psycopg.connect(db_url, user=READER_LOGIN) as analyst:
        assert analyst.execute("SHOW search_path").fetchone() == ("news",)
        assert analyst.execute("SHOW statement_timeout").fetchone() == ("1min",)
        assert analyst.execute("SELECT count(*) FROM articles").fetchone() == (0,)  # news.articles, unqualified
        assert analyst.execute("SELECT count(*) FROM search_articles('铝')").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            analyst.execute("SELECT 1 FROM public.article")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bi_tool_listing(url: str) -> set[str]:
    """The views a SQLAlchemy-based tool (Superset, pandas) lists in the schema news through the README's URL
    form, after checking that it can query one."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT count(*) FROM news.sites")).scalar() == 0
        return set(sqlalchemy.inspect(engine).get_view_names(schema="news"))
    finally:
        engine.dispose()


def test_the_embedded_server_listens_on_127_0_0_1_for_the_reader_login(tmp_path):
    port = free_port()
    env = {"INGOT_HOME": str(tmp_path), "INGOT_LISTEN": str(port), "INGOT_DATABASE_URL": ""}
    try:
        upgraded = run_ingot("db", "upgrade", env=env)
        assert upgraded.returncode == 0, upgraded.stderr
        printed = run_ingot("db", "reader-url", env=env)
        assert printed.returncode == 0, printed.stderr
        url = printed.stdout.strip()
        password = (tmp_path / "reader-password").read_text().strip()
        assert url == f"postgresql://ingot_analyst:{password}@127.0.0.1:{port}/ingot"
        with psycopg.connect(url) as analyst:  # a BI tool's way in: TCP and a password
            assert analyst.execute("SELECT current_user, inet_server_addr()::text").fetchone() == (
                READER_LOGIN, "127.0.0.1/32")
        assert bi_tool_listing(url) == {"articles", "daily_site_stats", "quality_checks", "sites", "stories"}
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(f"postgresql://ingot_analyst:wrong@127.0.0.1:{port}/ingot")
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/ingot")  # the superuser has no way in by TCP
        # the pipeline's own socket URL names the port the server now uses
        assert run_ingot("db", "url", env=env).stdout.strip().endswith(f"&port={port}")
        assert run_ingot("db", "reader-url", env=env).stdout.strip() == url
    finally:
        stop_embedded_server(Path(tmp_path) / "pgdata")


def test_the_demo_database_is_reachable_over_tcp_at_the_url_printed_for_it(tmp_path):
    from ingot.commands.demo import DEMO_DATABASE
    from ingot.database import embedded_url
    from ingot.migrations import upgrade
    from ingot.paths import MIGRATIONS_DIR

    port = free_port()
    env = {"INGOT_HOME": str(tmp_path), "INGOT_LISTEN": str(port), "INGOT_DATABASE_URL": ""}
    try:
        unmigrated = run_ingot("db", "reader-url", "--demo", env=env)  # creates the demo database, still empty
        assert unmigrated.returncode != 0 and "ingot db upgrade" in unmigrated.stderr
        # the server as the demo's own start left it (`ingot db url` would start it listening itself)
        with psycopg.connect(embedded_url(tmp_path / "pgdata", DEMO_DATABASE)) as conn:
            upgrade(conn, MIGRATIONS_DIR)
        printed = run_ingot("db", "reader-url", "--demo", env=env)
        assert printed.returncode == 0, printed.stderr
        assert printed.stdout.strip().endswith(f"@127.0.0.1:{port}/{DEMO_DATABASE}")
        with psycopg.connect(printed.stdout.strip()) as analyst:
            assert analyst.execute("SELECT current_user, current_database()").fetchone() == (
                READER_LOGIN, DEMO_DATABASE)
    finally:
        stop_embedded_server(Path(tmp_path) / "pgdata")


def test_reader_url_on_a_database_without_the_schema_says_what_to_do(pg_server_url):
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    name = "ingot_unmigrated_reader"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        result = run_ingot("db", "reader-url", env={"INGOT_DATABASE_URL": make_conninfo(pg_server_url, dbname=name),
                                                    "INGOT_READER_PASSWORD": "x", "HOME": os.environ.get("HOME", "")})
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    assert result.returncode != 0 and "ingot db upgrade" in result.stderr and "Traceback" not in result.stderr
