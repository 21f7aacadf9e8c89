"""Pages whose values PostgreSQL refuses, among 60 healthy ones, through the real spider and the real store.

| page                                   | what happens                                                      |
|----------------------------------------|-------------------------------------------------------------------|
| a NUL byte in a response header        | stored, the NUL removed (jsonb refuses ``\\u0000``)               |
| a 12 KB ``rel=canonical``              | stored under its page URL (the canonical is over the index limit) |
| a URL longer than an index entry       | recorded as lost with its reason, the others stored               |
| a row the database refuses (a CHECK)   | recorded as lost with the database's reason, the batch stored     |
| the rerun, the refusal lifted          | stores the refused page once, nothing else fetched twice          |
"""

from __future__ import annotations

import hashlib
from datetime import date

import psycopg
import pytest

from ingot.fixture_web import FixtureWeb
from tests.conftest import truncate_all
from tests.crawl.helpers import crawl, stored_pages
from tests.reliability.faultsite import article_html, english_paragraphs, list_page, put, write_plain_site, write_site

DAY = date(2026, 9, 29)
KEY, HOST = "poisonnews", "www.poisonnews.com"
BASE = f"https://{HOST}/news"
LONG_URL = f"{BASE}/long.html?q=" + "a" * 2030  # past an index entry, short of Scrapy's URLLENGTH_LIMIT
NUL_HEADER, LONG_CANONICAL, REFUSED = f"{BASE}/story-000.html", f"{BASE}/story-001.html", f"{BASE}/story-002.html"
REFUSAL = "ALTER TABLE raw_page ADD CONSTRAINT raw_page_poison_test CHECK (url NOT LIKE '%%/story-002.html') NOT VALID"


def write_poison_site(root) -> list[str]:
    urls = write_plain_site(root, KEY, HOST, 59)
    web = root / "web"
    put(web, HOST, "/news/story-000.html", article_html("A header with a NUL", english_paragraphs("nul")).encode(),
        {"headers": {"X-Poison": "before\u0000after"}})
    noise = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(190))  # 12 KB, incompressible
    canonical = f'<link rel="canonical" href="{BASE}/story-001.html?v={noise}">'
    put(web, HOST, "/news/story-001.html",
        article_html("A canonical of 12 KB", english_paragraphs("canonical"), extra_head=canonical).encode())
    put(web, HOST, "/news/index.html", list_page([f"story-{i:03d}" for i in range(59)], (LONG_URL,)))
    escaped = HOST.replace(".", "\\.")
    write_site(root / "sites", KEY, HOST, f"  lists:\n    - url: https://{HOST}/news/\n      link_selector: a.story\n"
               f"      max_pages: 1\n  article_patterns: ['^https://{escaped}/news/[\\w-]+\\.html(?:\\?q=a+)?$']")
    return urls


@pytest.fixture(scope="module")
def poisoned(migrated_db_url, tmp_path_factory):
    truncate_all(migrated_db_url)
    root = tmp_path_factory.mktemp("poison")
    urls = write_poison_site(root)
    with FixtureWeb(root / "web") as web:
        web.inject({"kind": "status", "status": 200}, HOST, "/news/long.html")
        with psycopg.connect(migrated_db_url, autocommit=True) as conn:
            conn.execute(REFUSAL)
        try:
            first = crawl(migrated_db_url, web, KEY, DAY, sites_dir=root / "sites")
            first_pages = stored_pages(migrated_db_url, KEY)
        finally:
            with psycopg.connect(migrated_db_url, autocommit=True) as conn:
                conn.execute("ALTER TABLE raw_page DROP CONSTRAINT raw_page_poison_test")
        web.clear_log()
        rerun = crawl(migrated_db_url, web, KEY, DAY, sites_dir=root / "sites")
        rerun_requests = [r.url for r in web.requested(HOST)]
    with psycopg.connect(migrated_db_url) as conn:
        duplicates = conn.execute("SELECT count(*) - count(DISTINCT (crawl_run_id, url)) FROM raw_page").fetchone()[0]
    yield {"urls": urls, "first": first, "first_pages": first_pages, "rerun": rerun,
           "rerun_pages": stored_pages(migrated_db_url, KEY), "rerun_requests": rerun_requests,
           "duplicates": duplicates}
    truncate_all(migrated_db_url)


def test_poison_pages_cost_only_themselves(poisoned):
    first = poisoned["first"]
    assert len(poisoned["first_pages"]) == 58 == first.stats["new_articles"]
    assert set(poisoned["first_pages"]) == set(poisoned["urls"]) - {REFUSED}
    assert first.status == "partial", first.error
    assert set(first.stats["failed_urls"]) == {REFUSED, LONG_URL}, first.stats["failed_urls"]
    assert first.stats["failed_urls"][LONG_URL] == f"not stored: its URL is longer than an index entry allows ({len(LONG_URL)} bytes)"
    refused = first.stats["failed_urls"][REFUSED]
    assert refused.startswith("not stored: the database refused the page (CheckViolation: ") and \
        "raw_page_poison_test" in refused, refused


def test_a_nul_in_a_header_is_removed_and_the_page_stored(poisoned):
    page = poisoned["first_pages"][NUL_HEADER]
    assert page["headers"]["x-poison"] == "beforeafter"
    assert page["http_status"] == 200 and b"A header with a NUL" in page["body"]


def test_a_canonical_too_long_for_its_index_falls_back_to_the_page_url(poisoned):
    page = poisoned["first_pages"][LONG_CANONICAL]
    assert page["canonical_url"] == LONG_CANONICAL


def test_the_rerun_stores_the_refused_page_once_and_fetches_nothing_stored(poisoned):
    rerun = poisoned["rerun"]
    assert set(poisoned["rerun_pages"]) == set(poisoned["urls"])
    assert rerun.stats["new_articles"] == 1 and rerun.stats["known_skipped"] == 58
    assert rerun.status == "partial" and set(rerun.stats["failed_urls"]) == {LONG_URL}
    fetched = {url for url in poisoned["rerun_requests"] if "/story-" in url}
    assert fetched == {REFUSED.removeprefix("https://")}
    assert poisoned["duplicates"] == 0
