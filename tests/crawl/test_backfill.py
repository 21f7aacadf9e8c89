"""Conditional GET never loses a day: a feed or sitemap answered 304 is read from its stored copy, so a backfill
(a past day crawled after a later one), a later day and a rerun of the same day store what a full fetch would."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import psycopg
import pytest

from ingot.crawl_job import CrawlFailed
from ingot.fixture_web import FixtureWeb
from ingot.paths import FIXTURE_WEB_DIR, SITES_DIR
from tests.conftest import truncate_all
from tests.crawl.helpers import crawl
from tests.reliability.faultsite import article_html, english_paragraphs, put, write_site

PAST, LATER = date(2026, 9, 28), date(2026, 12, 1)
FEED_HOST, MAP_HOST = "www.backfillfeed.com", "www.backfillmap.com"
# story → when it was published (site time); with a 3-day window, PAST takes every story but sep-01 (stories
# dated after the crawl day are kept), LATER only nov-30 and dec-01
STORIES = {"sep-01": datetime(2026, 9, 1, 9), "sep-27": datetime(2026, 9, 27, 9), "sep-28": datetime(2026, 9, 28, 9),
           "nov-30": datetime(2026, 11, 30, 9), "dec-01": datetime(2026, 12, 1, 9)}
CRAWL_RULES = "  article_patterns: ['^https://{host}/news/[\\w-]+\\.html$']\n  max_age_days: 3"


@pytest.fixture(scope="module")
def generated_web(tmp_path_factory):
    """A feed site (ETag and Last-Modified) and a sitemap site (Last-Modified only) carrying stories of both days."""
    root = tmp_path_factory.mktemp("backfill")
    web, sites = root / "web", root / "sites"
    for host in (FEED_HOST, MAP_HOST):
        put(web, host, "/robots.txt", b"User-agent: *\nAllow: /\n")
        for name in STORIES:
            put(web, host, f"/news/{name}.html", article_html(f"Story {name}", english_paragraphs(name)).encode())
    items = "".join(f"<item><title>{name}</title><link>https://{FEED_HOST}/news/{name}.html</link>"
                    f"<pubDate>{published:%a, %d %b %Y %H:%M:%S} +0800</pubDate></item>"
                    for name, published in STORIES.items())
    put(web, FEED_HOST, "/feed.xml", f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Backfill feed</title>{items}</channel></rss>".encode(),
        {"headers": {"Content-Type": "application/rss+xml", "Last-Modified": "Tue, 01 Dec 2026 02:00:00 GMT"}})
    rows = "".join(f"<url><loc>https://{MAP_HOST}/news/{name}.html</loc><lastmod>{published.isoformat()}+08:00"
                   f"</lastmod></url>" for name, published in STORIES.items())
    put(web, MAP_HOST, "/sitemap.xml", ('<?xml version="1.0" encoding="utf-8"?><urlset xmlns="http://www.'
                                        f'sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>').encode(),
        {"etag": False, "headers": {"Content-Type": "application/xml",
                                    "Last-Modified": "Tue, 01 Dec 2026 02:00:00 GMT"}})
    write_site(sites, "backfillfeed", FEED_HOST, f"  feeds: [https://{FEED_HOST}/feed.xml]\n"
               + CRAWL_RULES.format(host=FEED_HOST.replace(".", "\\.")))
    write_site(sites, "backfillmap", MAP_HOST, f"  sitemaps: [https://{MAP_HOST}/sitemap.xml]\n"
               + CRAWL_RULES.format(host=MAP_HOST.replace(".", "\\.")))
    with FixtureWeb(web) as server:
        yield {"web": server, "sites_dir": sites, "root": web}


@pytest.fixture
def site(request, generated_web, fixture_web):
    """(key, fixture web, sites dir, discovery path) of the site named by the test's parameter."""
    key = request.param
    if key == "steelorbis":  # the news sitemap of the shared fixture web: nothing of LATER in it
        return {"key": key, "web": fixture_web, "sites_dir": SITES_DIR, "root": FIXTURE_WEB_DIR,
                "host": "www.steelorbis.com", "discovery": "/sitemap-news-en-free-1.xml"}
    generated_web["web"].clear_log()
    host, path = (FEED_HOST, "/feed.xml") if key == "backfillfeed" else (MAP_HOST, "/sitemap.xml")
    return {"key": key, **generated_web, "host": host, "discovery": path}


def article_urls(db_url: str, key: str, run_id: int | None = None) -> set[str]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("SELECT url FROM raw_page WHERE site_key = %s AND kind = 'article'"
                            " AND (%s::bigint IS NULL OR crawl_run_id = %s)", (key, run_id, run_id)).fetchall()
    return {row[0] for row in rows}


def discovery_rows(db_url: str, run_id: int) -> list[tuple]:
    with psycopg.connect(db_url) as conn:
        return conn.execute("SELECT http_status, body_sha256, headers FROM raw_page WHERE crawl_run_id = %s"
                            " AND kind IN ('feed', 'sitemap')", (run_id,)).fetchall()


def run(db_url, site, day):
    return crawl(db_url, site["web"], site["key"], day, sites_dir=site["sites_dir"])


@pytest.mark.parametrize("site", ["steelorbis", "backfillfeed", "backfillmap"], indirect=True)
def test_a_past_day_crawled_after_a_later_day_stores_what_an_empty_database_would(db_url, site):
    later = run(db_url, site, LATER)
    after_later = article_urls(db_url, site["key"])
    backfill = run(db_url, site, PAST)
    assert backfill.status == "succeeded"
    assert backfill.stats["responses"]["304"] == 1 and backfill.stats["not_modified"] == 1
    stored, stored_by_backfill = article_urls(db_url, site["key"]), article_urls(db_url, site["key"],
                                                                               backfill.crawl_run_id)
    # the backfill's row of the feed or sitemap says the server answered 304, and holds the bytes it was read from
    fixture = (site["root"] / site["host"] / site["discovery"].lstrip("/")).read_bytes()
    [(status, sha256, headers)] = discovery_rows(db_url, backfill.crawl_run_id)
    [(_, _, later_headers)] = discovery_rows(db_url, later.crawl_run_id)
    assert status == 304 and sha256 == hashlib.sha256(fixture).hexdigest()
    assert headers["last-modified"] == later_headers["last-modified"]
    assert headers["content-length"] == str(len(fixture)), "the copy's own length, not the empty 304's"

    truncate_all(db_url)
    alone = run(db_url, site, PAST)
    assert "304" not in alone.stats["responses"]
    expected = article_urls(db_url, site["key"])
    assert expected, "the past day has articles to lose"
    assert stored == after_later | expected
    assert stored_by_backfill == expected - after_later


@pytest.mark.parametrize("site", ["backfillfeed", "backfillmap"], indirect=True)
def test_a_later_day_crawled_after_a_past_day_stores_what_an_empty_database_would(db_url, site):
    run(db_url, site, PAST)
    after_past = article_urls(db_url, site["key"])
    later = run(db_url, site, LATER)
    assert later.status == "succeeded" and later.stats["responses"]["304"] == 1
    assert later.stats["known_skipped"] == 2, "the copy is read: its two stories of the day are known"
    stored = article_urls(db_url, site["key"])

    truncate_all(db_url)
    run(db_url, site, LATER)
    assert stored == after_past | article_urls(db_url, site["key"])


@pytest.mark.parametrize("site", ["backfillfeed", "steelorbis"], indirect=True)
def test_a_rerun_of_the_same_day_is_answered_304_and_stores_the_same_rows(db_url, site):
    def rows():
        with psycopg.connect(db_url) as conn:
            return set(conn.execute("SELECT url, kind, body_sha256 FROM raw_page WHERE site_key = %s",
                                    (site["key"],)).fetchall())

    first = run(db_url, site, PAST)
    before = rows()
    site["web"].clear_log()
    again = run(db_url, site, PAST)
    assert again.crawl_run_id == first.crawl_run_id and again.status == "succeeded"
    assert [r.path for r in site["web"].requested(site["host"])] == ["/robots.txt", site["discovery"]], \
        "no article fetched again"
    assert again.stats["responses"] == {"200": 1, "304": 1} and again.stats["new_articles"] == 0
    assert rows() == before


@pytest.mark.parametrize("site", ["backfillfeed"], indirect=True)
def test_a_copy_deleted_before_the_304_arrives_is_fetched_again_in_full(db_url, site):
    run(db_url, site, LATER)

    def delete_stored_feed(host, path):  # as retention would, between the crawl's start and the answer
        with psycopg.connect(db_url) as conn:
            conn.execute("DELETE FROM raw_page WHERE kind = 'feed' AND site_key = %s", (site["key"],))

    site["web"].clear_log()
    site["web"].inject({"kind": "call", "function": delete_stored_feed, "times": 1}, FEED_HOST, "/feed.xml")
    try:
        backfill = run(db_url, site, PAST)
    finally:
        site["web"].clear_faults()
    assert [r.path for r in site["web"].requested(FEED_HOST)].count("/feed.xml") == 2
    assert backfill.status == "succeeded" and backfill.stats["responses"]["304"] == 1
    assert article_urls(db_url, site["key"], backfill.crawl_run_id) == {
        f"https://{FEED_HOST}/news/{name}.html" for name in ("sep-27", "sep-28")}
    [(status, _, _)] = discovery_rows(db_url, backfill.crawl_run_id)
    assert status == 200


@pytest.mark.parametrize("site", ["backfillfeed"], indirect=True)
def test_a_304_to_a_request_without_validators_is_a_lost_page(db_url, site):
    site["web"].inject({"kind": "status", "status": 304}, FEED_HOST, "/feed.xml")
    try:
        with pytest.raises(CrawlFailed, match="HTTP 304"):
            run(db_url, site, PAST)
    finally:
        site["web"].clear_faults()
