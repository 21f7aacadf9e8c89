"""The analysts' role cannot hold the pipeline up: no writer's lock, no temporary objects, bounded statements and
bounded search queries. Sessions use the role as tests/test_reader_role.py does (``SET ROLE ingot_reader``); the
role's settings, which apply at login only, are checked on a login member of the role.
"""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from ingot.extraction_job import extract_pages
from ingot.paths import MIGRATIONS_DIR
from ingot.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, SearchRequest, SearchUnavailable, fetch_search_results
from tests.reliability.test_store_hostile_values import news_page
from tests.store.pages import add_crawl_run, add_raw_page, add_site

# The advisory lock id the article store used to take: any role may take any advisory lock
FORMER_STORE_LOCK_ID = 0x696E676F7401


@pytest.fixture
def reader(db_url):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SET ROLE ingot_reader")
        yield conn


@pytest.mark.parametrize("mode", ["ACCESS SHARE", "ROW EXCLUSIVE", "SHARE", "EXCLUSIVE", "ACCESS EXCLUSIVE"])
def test_the_reader_cannot_take_the_article_stores_lock_in_any_mode(reader, mode):
    with pytest.raises(psycopg.errors.InsufficientPrivilege), reader.transaction():
        reader.execute(sql.SQL("LOCK TABLE public.article_store_lock IN {} MODE").format(sql.SQL(mode)))


def test_an_extraction_completes_while_a_reader_holds_every_lock_it_can(db_url, reader):
    with psycopg.connect(db_url, autocommit=True) as conn:
        add_site(conn, "alpha", hosts=("alpha.example",))
        run = add_crawl_run(conn, "alpha")
        for i in range(3):
            add_raw_page(conn, run, "alpha", f"https://alpha.example/news/{i}.html",
                         news_page(f"Steel output {i}"))
        with reader.transaction():
            reader.execute("SELECT pg_advisory_lock(%s), pg_advisory_xact_lock(%s)",
                           (FORMER_STORE_LOCK_ID, FORMER_STORE_LOCK_ID))
            for view in ("articles", "stories", "daily_site_stats", "quality_checks"):
                reader.execute(sql.SQL("SELECT * FROM {} LIMIT 1").format(sql.Identifier("news", view))).fetchall()
            result: list = []
            extraction = threading.Thread(target=lambda: result.append(extract_pages(db_url, {}, workers=1)))
            extraction.start()
            while extraction.is_alive():  # until the extraction ends, or waits for a lock (it must not)
                waiting = conn.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0]
                assert not waiting, "the extraction waits for a lock the reader holds"
                time.sleep(0.01)
            extraction.join()
        reader.execute("SELECT pg_advisory_unlock_all()")
    assert result and result[0].articles_new == 3


@pytest.mark.parametrize("statement", [
    "CREATE TEMP TABLE scratch (id int)",
    "CREATE TEMPORARY TABLE scratch AS SELECT * FROM news.articles",
    "CREATE FUNCTION pg_temp.scratch() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE TEMP VIEW scratch AS SELECT 1",
    "CREATE TEMP SEQUENCE scratch",
])
def test_the_reader_cannot_create_temporary_objects(reader, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute(statement)


def test_the_reader_role_carries_a_statement_timeout(db_url):
    with psycopg.connect(db_url) as conn:
        settings = conn.execute(
            "SELECT coalesce(array_agg(c), '{}') FROM pg_db_role_setting s, unnest(s.setconfig) AS c "
            "WHERE s.setrole = 'ingot_reader'::regrole AND s.setdatabase = 0").fetchone()[0]
    assert "statement_timeout=30s" in settings and "idle_in_transaction_session_timeout=10min" in settings


@pytest.fixture
def analyst_login(db_url):
    """A password login that is a member of ingot_reader, as the deployment's ingot_analyst; its URL."""
    role, password = f"ingot_analyst_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE ingot_reader").format(
            sql.Identifier(role), sql.Literal(password)))
    try:
        yield make_conninfo(db_url, user=role, password=password)
    finally:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_a_reader_login_that_exists_when_the_migration_runs_gets_the_limits(db_url, analyst_login):
    migration = (MIGRATIONS_DIR / "0043.limit-reader-role.sql").read_text(encoding="utf-8")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(migration)  # what the migration does to the logins it finds (it is idempotent)
    with psycopg.connect(analyst_login) as analyst:
        assert analyst.execute("SHOW statement_timeout").fetchone() == ("30s",)
        assert analyst.execute("SHOW idle_in_transaction_session_timeout").fetchone() == ("10min",)
        analyst.execute("SELECT * FROM news.articles LIMIT 1").fetchall()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            analyst.execute("CREATE TEMP TABLE scratch (id int)")


def test_a_50k_word_search_is_refused_with_a_clear_error(reader):
    reader.execute("SET statement_timeout = '300s'")  # should the limit go, a failure rather than a stuck test
    query = " ".join(["aluminium"] * 50_000)
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="search query too long: 499999 characters"):
        reader.execute("SELECT * FROM news.search_articles(%s)", (query,))
    with pytest.raises(SearchUnavailable, match=r"search query too long: 499999 characters \(at most 1000\)"):
        fetch_search_results(reader, SearchRequest(query))


@pytest.mark.parametrize("query, refused", [
    ("a" * MAX_QUERY_CHARS, False),
    ("a" * (MAX_QUERY_CHARS + 1), True),
    (" ".join(["alu"] * MAX_QUERY_WORDS), False),
    (" ".join(["alu"] * (MAX_QUERY_WORDS + 1)), True),
    ("铝" * MAX_QUERY_CHARS, False),
])
def test_the_sql_function_and_ingot_search_agree_on_the_limits(reader, query, refused):
    if refused:
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="search query too long"):
            reader.execute("SELECT * FROM news.search_articles(%s)", (query,))
        with pytest.raises(SearchUnavailable, match="search query too long"):
            fetch_search_results(reader, SearchRequest(query))
    else:
        assert reader.execute("SELECT * FROM news.search_articles(%s)", (query,)).fetchall() == []
        assert fetch_search_results(reader, SearchRequest(query)).results == []


FORMER_MIGRATION_LOCK_ID = 0x696E676F74  # the advisory lock id `ingot db upgrade` used to take


def test_the_reader_cannot_hold_up_a_schema_upgrade(db_url, reader):
    from ingot.migrations import upgrade

    with pytest.raises(psycopg.errors.InsufficientPrivilege), reader.transaction():
        reader.execute("LOCK TABLE public.schema_migration IN ACCESS SHARE MODE")
    with reader.transaction():
        reader.execute("SELECT pg_advisory_lock(%s)", (FORMER_MIGRATION_LOCK_ID,))
        with psycopg.connect(db_url, autocommit=True) as writer:
            writer.execute("SET lock_timeout = '5s'")  # a wait on the reader would end in LockNotAvailable
            assert upgrade(writer, MIGRATIONS_DIR) == []
        reader.execute("SELECT pg_advisory_unlock(%s)", (FORMER_MIGRATION_LOCK_ID,))
