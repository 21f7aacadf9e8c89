"""Pages that misbehave, one each, on a site crawled by the real spider and extracted by the real extractor.

Day 1 stores three healthy stories. Day 2 the listing also links one page per fault (``faultsite.PAGE_FAULTS``:
behaviours switched on in the fixture web; ``faultsite.content_faults``: bad bytes), yesterday's stories are
revisited and misbehave too, and the page links to places a crawler must never go. Each row of ``CRAWL_FAULTS``
and ``CONTENT_FAULTS`` is one misbehaviour and what must be recorded for it.
"""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from crawlers import settings as crawler_settings
from extract import REJECT_REASONS
from ingot.extraction_job import extract_pages
from ingot.fixture_web import FixtureWeb
from ingot.sites import load_sites
from tests.conftest import truncate_all
from tests.crawl.helpers import crawl
from tests.reliability.faultsite import (BASE, EXTRA_FAULTS, FORBIDDEN_LINKS, HEALTHY, HOST, PAGE_FAULTS,
                                         ZH_SENTENCE, content_faults, put, write_news_site)

DAY1, DAY2 = date(2026, 9, 27), date(2026, 9, 28)
FAST = {"DOWNLOAD_TIMEOUT": "2", "RETRY_TIMES": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}
SOFT_404 = content_faults()["soft-404"][0]

# page → (reason recorded in crawl_run.stats.failed_urls, requests the fixture web saw for it: 2 = retried once)
CRAWL_FAULTS = {
    "http-500": ("HTTP 500", 2),
    "http-502": ("HTTP 502", 2),
    "http-503": ("HTTP 503", 2),
    "http-503-retry-after": ("HTTP 503", 2),
    "http-429": ("HTTP 429", 2),
    "http-403": ("HTTP 403", 1),
    # Twisted resends a request once by itself when a kept-alive connection is reset before the answer
    "connection-reset": ("DownloadFailedError: connection lost (reset by the server)", {2, 3, 4}),
    "stall": ("DownloadTimeoutError: no answer within 2.0 s", 2),
    "truncated-body": ("ResponseDataLossError: body cut short of its Content-Length", 2),
    "redirect-loop": ("redirect loop", 1),
    "redirect-ping-pong": ("redirect loop", 1),
    "redirect-offsite": ("refused: outside the allowed hosts", 1),
    "redirect-loopback": ("refused: not a public http(s) address", 1),
    "redirect-private": ("refused: not a public http(s) address", 1),
    "redirect-file": ("HTTP 302", 1),
    "huge-page": ("too large (31457280 B, over DOWNLOAD_MAXSIZE 20971520 B)", 1),
    "huge-streamed-page": ("too large (streamed without Content-Length past DOWNLOAD_MAXSIZE)", 1),
    "gzip-bomb": ("too large after decompression (", 1),
    "yesterdays-story-now-500": ("HTTP 500", 2),
}
# page → (outcome, rejection reason) recorded in page_extraction
CONTENT_FAULTS = {
    "http-503-once": ("article", None),
    "charset-gbk-declared-utf8": ("article", None),
    "charset-utf8-declared-latin1": ("article", None),
    "invalid-gbk-bytes": ("article", None),  # kept, its damaged bytes replaced and counted
    "binary-as-html": ("rejected", "undecodable"),
    "empty-200": ("rejected", "empty"),
    "no-article": ("rejected", "not_article"),
    "deeply-nested": ("rejected", "empty"),
    "soft-404": ("rejected", "soft_404"),
    "yesterdays-story-now-soft-404": ("rejected", "soft_404"),
}
ALIASES = {"yesterdays-story-now-500": "healthy-2", "yesterdays-story-now-soft-404": "healthy-1"}


def page_url(name: str) -> str:
    return f"{BASE}/news/{ALIASES.get(name, name)}.html"


def articles(db_url: str) -> dict[str, tuple]:
    with psycopg.connect(db_url) as conn:
        return {row[0]: row[1:] for row in conn.execute(
            "SELECT canonical_url, id, text_sha256, title, text FROM article ORDER BY id")}


@pytest.fixture(scope="module")
def faulty_day(migrated_db_url, tmp_path_factory):
    db_url = migrated_db_url
    truncate_all(db_url)
    root = tmp_path_factory.mktemp("faultnews")
    write_news_site(root, all_pages=False)
    sites = load_sites(root / "sites")
    with FixtureWeb(root / "web") as web:
        first = crawl(db_url, web, "faultnews", DAY1, sites_dir=root / "sites", overrides=FAST)
        extract_pages(db_url, sites, site_key="faultnews", workers=1)
        before = articles(db_url)

        write_news_site(root, all_pages=True)
        put(root / "web", HOST, "/news/healthy-1.html", SOFT_404)  # yesterday's story, gone today
        web.inject({"kind": "status", "status": 500}, HOST, "/news/healthy-2.html")
        for name, fault in PAGE_FAULTS.items():
            web.inject(fault, HOST, f"/news/{name}.html")
        for path, fault in EXTRA_FAULTS.items():
            web.inject(fault, HOST, path)
        web.clear_log()
        outcome = crawl(db_url, web, "faultnews", DAY2, sites_dir=root / "sites", overrides=FAST)
        summary = extract_pages(db_url, sites, site_key="faultnews", workers=1)
        requests = list(web.requests)
    with psycopg.connect(db_url) as conn:
        extractions = {row[0]: row[1:] for row in conn.execute(
            "SELECT rp.url, pe.outcome, pe.reason, pe.detail FROM raw_page rp JOIN crawl_run cr ON cr.id = rp.crawl_run_id"
            " LEFT JOIN page_extraction pe ON pe.raw_page_id = rp.id WHERE cr.news_day = %s AND rp.kind = 'article'",
            (DAY2,))}
        duplicates = conn.execute("SELECT count(*) - count(DISTINCT (crawl_run_id, url)) FROM raw_page").fetchone()[0]
        raw_counts = dict(conn.execute("SELECT url, count(*) FROM raw_page WHERE kind = 'article' GROUP BY url"))
    yield {"first": first, "outcome": outcome, "summary": summary, "before": before,
           "after": articles(db_url), "extractions": extractions, "requests": requests, "duplicates": duplicates,
           "raw_counts": raw_counts}
    truncate_all(db_url)


@pytest.mark.parametrize("fault", CRAWL_FAULTS)
def test_fault_lost_page_is_recorded_with_its_reason(faulty_day, fault):
    reason, attempts = CRAWL_FAULTS[fault]
    url = page_url(fault)
    recorded = faulty_day["outcome"].stats["failed_urls"].get(url)
    assert recorded is not None and recorded.startswith(reason), (url, recorded)
    path = url.removeprefix(BASE)
    seen = [r for r in faulty_day["requests"] if r.host == HOST and r.path == path]
    assert len(seen) in (attempts if isinstance(attempts, set) else {attempts}), (fault, "retried" if attempts > 1 else "not retried", seen)
    assert url not in faulty_day["extractions"], "nothing of a lost page is stored"


@pytest.mark.parametrize("fault", CONTENT_FAULTS)
def test_fault_stored_page_gets_its_extraction_outcome(faulty_day, fault):
    outcome, reason = CONTENT_FAULTS[fault]
    url = page_url(fault)
    assert faulty_day["extractions"][url][:2] == (outcome, reason), faulty_day["extractions"][url]


def test_damaged_bytes_replaced_are_recorded_with_the_article(faulty_day):
    outcome, reason, detail = faulty_day["extractions"][page_url("invalid-gbk-bytes")]
    assert (outcome, detail) == ("article", "2 undecodable byte sequences replaced")


def test_the_run_ends_partial_and_counts_every_lost_page(faulty_day):
    outcome = faulty_day["outcome"]
    assert outcome.status == "partial" and outcome.stats["finish_reason"] == "finished"
    assert outcome.stats["errors"] == len(CRAWL_FAULTS) == len(outcome.stats["failed_urls"])
    # stalls and retries are bounded by counts (each fault's attempts, above), never by the clock
    assert faulty_day["summary"].failed == 0, "no page made the extractor fail"
    assert set(faulty_day["extractions"].values()) <= {(o, r, d) for o, r, d in faulty_day["extractions"].values()
                                                        if o == "article" or r in REJECT_REASONS}


def test_a_retry_after_header_is_waited_for_before_the_retry(faulty_day):
    times = [r.at for r in faulty_day["requests"] if r.path == "/news/http-503-retry-after.html"]
    assert len(times) == 2 and times[1] - times[0] >= 0.95


def test_the_healthy_pages_and_a_transient_503_become_articles(faulty_day):
    after = faulty_day["after"]
    assert faulty_day["first"].status == "succeeded"
    expected = {page_url(name) for name in (*HEALTHY, "http-503-once", "charset-gbk-declared-utf8",
                                            "charset-utf8-declared-latin1", "invalid-gbk-bytes")}
    assert set(after) == expected, "exactly these articles, nothing from a faulty page"
    for url in ("charset-gbk-declared-utf8", "charset-utf8-declared-latin1"):
        assert ZH_SENTENCE in after[page_url(url)][3], "the text is decoded as sent, not as declared"


def test_no_stored_article_is_partial_or_garbled(faulty_day):
    for url, (_id, _sha, title, text) in faulty_day["after"].items():
        assert "\ufffd" not in title + text, url
        assert "Error 5" not in text and "not found" not in text.lower(), url
        assert len(text) > 100, url  # the whole body, not a fragment


def test_nothing_stored_before_is_lost_or_duplicated(faulty_day):
    before, after = faulty_day["before"], faulty_day["after"]
    assert len(before) == 3
    for url, row in before.items():
        assert after[url][:2] == row[:2], "yesterday's article keeps its id and text, whatever its page does today"
    assert faulty_day["duplicates"] == 0
    assert all(count <= 2 for count in faulty_day["raw_counts"].values()), "at most one page per day and URL"


def test_links_off_the_site_are_never_fetched(faulty_day):
    hosts = {r.host for r in faulty_day["requests"]}
    assert hosts == {HOST}, hosts
    assert faulty_day["outcome"].stats["refused_hosts"] == 3  # the three redirects that left the site
    assert len(FORBIDDEN_LINKS) >= 9


def test_the_production_download_limits_are_set():
    assert crawler_settings.DOWNLOAD_MAXSIZE == 20 * 1024 * 1024, "the huge page and the gzip bomb use this limit"
    assert crawler_settings.DOWNLOAD_TIMEOUT <= 30 and crawler_settings.RETRY_TIMES <= 3
    assert crawler_settings.DOWNLOAD_FAIL_ON_DATALOSS is True
    assert crawler_settings.RETRY_BACKOFF_MAX <= 60
