"""Security: SQL is parameterised, credentials never reach logs, errors or the repository.

The other security rows live beside the faults they share a crawl with: links and redirects to other hosts,
non-http(s) schemes and loopback/private addresses (``test_page_faults.py::test_links_off_the_site_are_never_fetched``,
``redirect-*`` rows), the size bounds (``huge-page``, ``gzip-bomb`` rows), and the reader role
(``tests/test_reader_role.py``: no raw pages, no writes).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from ingot.fixture_web import FixtureWeb
from ingot.migrations import upgrade
from ingot.paths import MIGRATIONS_DIR, PROJECT_ROOT
from tests.reliability.faultsite import write_plain_site
from tests.reliability.sqlscan import unsafe_sql

PACKAGES = ("ingot", "crawlers", "extract", "dags")
DAY = date(2026, 9, 28)
KEY, HOST = "secretnews", "www.secretnews.com"


@pytest.mark.parametrize("package", PACKAGES)
def test_sql_is_never_built_from_values(package):
    files = sorted((PROJECT_ROOT / package).rglob("*.py"))
    assert files
    found = [hit for path in files for hit in unsafe_sql(path)]
    assert found == [], "pass values as parameters and identifiers through psycopg.sql.Identifier"


def test_the_sql_scan_catches_what_it_should(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('def f(conn, name, day):\n'
                   '    conn.execute(f"SELECT * FROM article WHERE site_key = \'{name}\'")\n'
                   '    query = "DELETE FROM raw_page WHERE day = \'%s\'" % day\n'
                   '    conn.execute("UPDATE article SET title = \'{}\'".format(name))\n'
                   'OK = f"SELECT {\', \'.join((\'a\', \'b\'))} FROM t"\n')
    assert unsafe_sql(bad) == [f"{bad}:2", f"{bad}:3", f"{bad}:4"]


@pytest.fixture
def password_db(pg_server_url):
    """A database owned by a password-protected login role; yields (URL with the password, the password)."""
    role, name = f"ingot_pw_{uuid.uuid4().hex[:8]}", f"ingot_pw_{uuid.uuid4().hex[:8]}"
    password = f"Pw-{uuid.uuid4().hex}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(role)))
    admin_url = make_conninfo(pg_server_url, dbname=name)
    with psycopg.connect(admin_url) as conn:
        upgrade(conn, MIGRATIONS_DIR)
        for what in ("TABLES", "SEQUENCES"):
            conn.execute(sql.SQL("GRANT ALL ON ALL {} IN SCHEMA public TO {}").format(sql.SQL(what),
                                                                                     sql.Identifier(role)))
    yield make_conninfo(pg_server_url, dbname=name, user=role, password=password), password
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def run(args: list[str], env: dict) -> str:
    result = subprocess.run(args, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180)
    return f"$ {' '.join(args)}\n[{result.returncode}]\n{result.stdout}\n{result.stderr}"


def test_no_password_in_any_log_output_or_error_of_a_crawl_and_extraction(password_db, tmp_path):
    url, password = password_db
    write_plain_site(tmp_path, KEY, HOST, 2)
    ingot = [sys.executable, "-m", "ingot.cli", "-v"]
    with FixtureWeb(tmp_path / "web") as web:
        env = dict(os.environ, INGOT_DATABASE_URL=url, INGOT_SITES_DIR=str(tmp_path / "sites"),
                   INGOT_FIXTURE_WEB=web.address, INGOT_HOME=str(tmp_path / "home"), SCRAPY_SETTINGS_MODULE="crawlers.settings",
                   PYTHONPATH=str(PROJECT_ROOT))
        outputs = [
            run([*ingot, "crawl", "--site", KEY, "--day", DAY.isoformat()], env),
            # Scrapy itself at its most talkative: settings, middlewares, every request and item
            run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"site={KEY}", "-a", f"day={DAY}",
                 "-s", "LOG_LEVEL=DEBUG", "-s", "DOWNLOAD_DELAY=0"], env),
            run([*ingot, "extract", "--site", KEY, "--workers", "1"], env),
            run([*ingot, "db", "upgrade"], env),
            # failures quote the driver's reason: a wrong database name, a server that is not there
            run([*ingot, "extract"], env | {"INGOT_DATABASE_URL": url.replace("dbname=", "dbname=missing_")}),
            run([*ingot, "crawl", "--site", KEY, "--day", DAY.isoformat()],
                env | {"INGOT_DATABASE_URL": url + " host=/nonexistent port=1"}),
        ]
    log = "\n".join(outputs)
    assert "2 new articles" in log, log[-3000:]
    assert "cannot connect to the database" in log, "the failures ran"
    assert password not in log
    with psycopg.connect(url) as conn:
        recorded = conn.execute("SELECT coalesce(string_agg(coalesce(error, '') || stats::text, ' '), '') "
                                "FROM crawl_run").fetchone()[0]
    assert recorded and password not in recorded


INLINE_CREDENTIAL = re.compile(r"\b(?:postgres(?:ql)?(?:\+\w+)?|mysql|redis|amqp)://[^:/@\s'\"]+:([^@\s'\"]+)@")


def test_no_credentials_in_tracked_files():
    """Outside tests/ (whose redaction tests use made-up passwords on purpose), no URL carries a password; the
    compose file reads every one from .env (tests/airflow/test_compose.py checks it line by line)."""
    files = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    found = []
    for name in files:
        path = Path(PROJECT_ROOT, name)
        if path.suffix in {".lock", ".png", ".gz"} or not path.is_file() or name.startswith("tests/"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in INLINE_CREDENTIAL.finditer(text):
            secret = match.group(1)
            if not secret.startswith("${") and secret not in {"***", "secret", "PASSWORD", "password", "pw"}:
                found.append(f"{name}: {match.group(0)}")
    assert found == []
