"""A database that answers and refuses is worded by its error class, never as one that cannot be reached.

Errors are raised by the real server where a test can make it: an index entry over its size limit, and a full
disk raised by a trigger with the disk_full SQLSTATE (a real server error of class 53, without filling a disk).
"""

from __future__ import annotations

import random
import string

import psycopg
import pytest

from ingot.commands.extract import run_extract
from ingot.database import database_failure, is_connection_failure
from ingot.errors import DatabaseFailure
from ingot.settings import Settings
from tests.reliability.test_store_hostile_values import news_page
from tests.store.pages import add_crawl_run, add_raw_page, add_site

URL = "postgresql://ingot:Secret-pw@db.example:5432/news"


def test_a_real_over_long_index_entry_is_worded_as_a_limit_not_a_connection_failure(db_url):
    chooser = random.Random(1)
    too_long = "".join(chooser.choice(string.ascii_letters) for _ in range(12_000))  # incompressible
    with psycopg.connect(db_url) as conn:
        add_site(conn, "alpha")
        with pytest.raises(psycopg.errors.ProgramLimitExceeded) as raised:
            conn.execute("INSERT INTO article (canonical_url, url, site_key, title, text, text_sha256, rule_version, "
                         "extractor_version) VALUES (%s, %s, 'alpha', 't', 't', 'x', 1, 't')", (too_long, too_long))
    assert not is_connection_failure(raised.value)
    message = str(database_failure(raised.value, URL))
    assert message.startswith("the database at db.example:5432/news failed: a value is over one of the server's "
                              "limits (ProgramLimitExceeded, SQLSTATE 54000): index row")
    assert "connect" not in message and "Secret-pw" not in message


@pytest.mark.parametrize("error, words", [
    (psycopg.errors.DiskFull("could not extend file \"base/16384/2619\": No space left on device"),
     "the server's disk is full (DiskFull, SQLSTATE 53100): could not extend file"),
    (psycopg.errors.OutOfMemory("out of memory"), "the server ran out of memory (OutOfMemory, SQLSTATE 53200)"),
    (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
     "a statement was cancelled (statement_timeout or an operator) (QueryCanceled, SQLSTATE 57014)"),
    (psycopg.errors.InsufficientPrivilege("permission denied for table article"),
     "the role lacks a privilege (InsufficientPrivilege, SQLSTATE 42501)"),
    (psycopg.errors.UndefinedTable('relation "article_store_lock" does not exist'),
     "the schema does not match this version of ingot (UndefinedTable, SQLSTATE 42P01)"),
])
def test_server_errors_are_worded_by_their_class(error, words):
    assert not is_connection_failure(error)
    message = str(database_failure(error, URL))
    assert words in message and "connect" not in message


@pytest.mark.parametrize("error", [
    psycopg.OperationalError("server closed the connection unexpectedly"),  # no SQLSTATE: the client side
    psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
    psycopg.errors.CannotConnectNow("the database system is starting up"),
    psycopg.errors.InvalidPassword("password authentication failed for user \"ingot\""),
    psycopg.errors.InvalidCatalogName('database "news" does not exist'),
])
def test_connection_failures_stay_connection_failures(error):
    assert is_connection_failure(error)


@pytest.fixture
def full_disk_on_outcomes(db_url):
    """page_extraction refuses every row as a server with a full disk does (SQLSTATE 53100)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("""
            CREATE FUNCTION fail_with_full_disk() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'could not extend file "base/16384/2619": No space left on device'
                    USING ERRCODE = 'disk_full';
            END $$;
            CREATE TRIGGER full_disk BEFORE INSERT ON page_extraction
                FOR EACH ROW EXECUTE FUNCTION fail_with_full_disk();
        """)
    try:
        yield
    finally:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("DROP TRIGGER full_disk ON page_extraction; DROP FUNCTION fail_with_full_disk()")


def test_ingot_extract_on_a_full_disk_says_the_disk_is_full_and_records_nothing_as_failed(
        db_url, full_disk_on_outcomes, tmp_path):
    with psycopg.connect(db_url, autocommit=True) as conn:
        add_site(conn, "alpha", hosts=("alpha.example",))
        run = add_crawl_run(conn, "alpha")
        for i in range(3):
            add_raw_page(conn, run, "alpha", f"https://alpha.example/news/{i}.html", news_page(f"Steel {i}"))
    (tmp_path / "sites").mkdir()
    settings = Settings.from_env({"INGOT_DATABASE_URL": db_url, "INGOT_SITES_DIR": str(tmp_path / "sites")})
    args = type("Args", (), {"site": None, "day": None, "since": None, "reextract": False, "workers": 1})()
    with pytest.raises(DatabaseFailure) as failure:
        run_extract(args, settings)
    message = str(failure.value)
    assert "the server's disk is full (DiskFull, SQLSTATE 53100): could not extend file" in message
    assert "connect" not in message and "lost the database" not in message
    assert failure.value.exit_code == 2
    with psycopg.connect(db_url) as conn:  # a full disk is no page's fault: nothing recorded, all left to redo
        assert conn.execute("SELECT count(*) FROM page_extraction").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM article").fetchone() == (0,)
