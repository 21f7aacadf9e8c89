"""Raw page retention deletes only what has served its purpose; the next crawl still knows every stored URL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from ingot.cli import main
from ingot.extraction_job import extract_pages
from ingot.fixture_web import FixtureWeb
from ingot.migrations import upgrade
from ingot.paths import MIGRATIONS_DIR
from ingot.retention import delete_expired_raw_pages
from ingot.sites import load_sites
from tests.crawl.helpers import crawl
from tests.reliability.faultsite import (article_html, content_faults, english_paragraphs, list_page, put,
                                         write_plain_site)

KEY, HOST = "keepnews", "www.keepnews.com"
DAYS = [date(2026, 9, 26), date(2026, 9, 27), date(2026, 9, 28)]
FAST = {"DOWNLOAD_TIMEOUT": "2"}


def pages(db_url) -> dict[str, list]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("SELECT rp.url, rp.kind, pe.outcome FROM raw_page rp "
                            "LEFT JOIN page_extraction pe ON pe.raw_page_id = rp.id ORDER BY rp.id").fetchall()
    found: dict[str, list] = {}
    for url, kind, outcome in rows:
        found.setdefault(url.rsplit("/", 1)[-1] or "list", []).append(outcome or kind)
    return found


def articles(db_url) -> list[tuple]:
    with psycopg.connect(db_url) as conn:
        return conn.execute("SELECT id, canonical_url, text_sha256 FROM article ORDER BY id").fetchall()


def new_database(server_url: str, template: str | None = None) -> str:
    name = f"ingot_keep_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)) \
            if template else sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        conn.execute(statement)
    return name


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def aged_template(pg_server_url, tmp_path_factory):
    """Day 1: four stories, one of them a soft 404 (rejected). Day 2: a fifth story, crawled, not yet extracted.
    Then every page is made 100 days old. Built once, in a database each test copies."""
    root = tmp_path_factory.mktemp("keepnews")
    urls = write_plain_site(root, KEY, HOST, 4)
    web_dir = root / "web"
    put(web_dir, HOST, "/news/story-003.html", content_faults()["soft-404"][0])
    sites = load_sites(root / "sites")
    template = new_database(pg_server_url)
    db_url = make_conninfo(pg_server_url, dbname=template)
    with psycopg.connect(db_url) as conn:
        upgrade(conn, MIGRATIONS_DIR)
    with FixtureWeb(web_dir) as web:
        crawl(db_url, web, KEY, DAYS[0], sites_dir=root / "sites", overrides=FAST)
        extract_pages(db_url, sites, site_key=KEY, workers=1)
        names = [f"story-{i:03d}" for i in range(5)]
        put(web_dir, HOST, "/news/story-004.html", article_html("story 4", english_paragraphs("four")).encode())
        put(web_dir, HOST, "/news/index.html", list_page(names))
        crawl(db_url, web, KEY, DAYS[1], sites_dir=root / "sites", overrides=FAST)
        with psycopg.connect(db_url) as conn:
            conn.execute("UPDATE raw_page SET fetched_at = fetched_at - interval '100 days'")
        yield {"template": template, "web": web, "sites_dir": root / "sites", "urls": urls}
    drop_database(pg_server_url, template)


@pytest.fixture
def aged_site(pg_server_url, aged_template):
    name = new_database(pg_server_url, aged_template["template"])
    yield {**aged_template, "db": make_conninfo(pg_server_url, dbname=name)}
    drop_database(pg_server_url, name)


def test_retention_deletes_only_extracted_article_pages_and_older_list_fetches(aged_site):
    db = aged_site["db"]
    before = articles(db)
    assert pages(db) == {"list": ["list", "list"], "story-000.html": ["article"], "story-001.html": ["article"],
                         "story-002.html": ["article"], "story-003.html": ["rejected"], "story-004.html": ["article"]}
    with psycopg.connect(db, autocommit=True) as conn:
        counted = delete_expired_raw_pages(conn, 90, now=datetime.now(UTC), dry_run=True)
        assert pages(db)["story-000.html"] == ["article"], "a dry run deletes nothing"
        summary = delete_expired_raw_pages(conn, 90, now=datetime.now(UTC))
    assert (summary.article_pages, summary.rejected_pages, summary.discovery_pages) == (3, 0, 1)
    assert (counted.article_pages, counted.discovery_pages) == (3, 1)
    assert pages(db) == {"list": ["list"], "story-003.html": ["rejected"], "story-004.html": ["article"]}
    assert articles(db) == before, "articles are never deleted"
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM article WHERE raw_page_id IS NULL").fetchone()[0] == 3


def test_retention_keeps_pages_not_yet_extracted_and_rejected_pages_unless_asked(aged_site):
    db = aged_site["db"]
    with psycopg.connect(db, autocommit=True) as conn:
        delete_expired_raw_pages(conn, 90, now=datetime.now(UTC))
        summary = delete_expired_raw_pages(conn, 90, now=datetime.now(UTC), include_rejected=True)
    assert summary.rejected_pages == 1
    with psycopg.connect(db) as conn:
        left = conn.execute("SELECT rp.url, pe.raw_page_id IS NULL FROM raw_page rp LEFT JOIN page_extraction pe "
                            "ON pe.raw_page_id = rp.id WHERE rp.kind = 'article'").fetchall()
    assert left == [(aged_site["urls"][0].replace("story-000", "story-004"), True)], "the unextracted page stays"


def test_retention_within_the_period_deletes_nothing(aged_site):
    with psycopg.connect(aged_site["db"], autocommit=True) as conn:
        summary = delete_expired_raw_pages(conn, 365, now=datetime.now(UTC), include_rejected=True)
    assert (summary.article_pages, summary.rejected_pages, summary.discovery_pages) == (0, 0, 0)


def test_after_retention_the_next_crawl_fetches_no_stored_article_again(aged_site):
    with psycopg.connect(aged_site["db"], autocommit=True) as conn:
        delete_expired_raw_pages(conn, 90, now=datetime.now(UTC))
    aged_site["web"].clear_log()
    outcome = crawl(aged_site["db"], aged_site["web"], KEY, DAYS[2], sites_dir=aged_site["sites_dir"],
                    overrides=FAST)
    assert outcome.status == "succeeded" and outcome.stats["known_skipped"] == 5
    assert [r.path for r in aged_site["web"].requested(HOST)] == ["/robots.txt", "/news/"]


def test_ingot_retention_command_prints_what_it_deleted(aged_site, monkeypatch, capsys):
    monkeypatch.setenv("INGOT_DATABASE_URL", aged_site["db"])
    monkeypatch.setenv("INGOT_RAW_RETENTION_DAYS", "90")
    assert main(["retention", "--dry-run"]) == 0
    assert "would delete 3 extracted article pages, 0 rejected pages, 1 older list/feed/sitemap pages" in \
        capsys.readouterr().out
    assert main(["retention"]) == 0
    assert "deleted 3 extracted article pages" in capsys.readouterr().out
    assert main(["retention", "--days", "0"]) == 2
