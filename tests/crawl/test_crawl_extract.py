"""The daily crawl task's work: a site's crawl and the extraction of its pages, side by side."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from ingot.crawl_extract import crawl_and_extract
from ingot.paths import SITES_DIR
from ingot.settings import Settings
from tests.crawl.helpers import expected

SITE = "eurometal"
DAY = date(2026, 9, 28)


def settings_for(db_url: str, web, home: Path) -> Settings:
    return Settings(database_url=db_url, home=home, sites_dir=SITES_DIR, contact_url="https://example.org/ingot-tests",
                    news_timezone="Asia/Shanghai", raw_retention_days=90, fixture_web=web.address)


def extracted(db_url: str, url: str) -> bool:
    with psycopg.connect(db_url) as conn:
        return conn.execute("SELECT 1 FROM raw_page rp JOIN page_extraction pe ON pe.raw_page_id = rp.id "
                            "WHERE rp.url = %s", (url,)).fetchone() is not None


def test_pages_are_extracted_while_the_crawl_is_still_running(db_url, fixture_web, monkeypatch, tmp_path):
    monkeypatch.setattr("ingot.extraction_job.FOLLOW_MIN_PAGES", 1)
    monkeypatch.setattr("ingot.extraction_job.FOLLOW_POLL_SECONDS", 0.05)
    first, second = sorted(expected(SITE)["articles"])[:2]
    released_by_extraction = []

    def hold_until_first_is_extracted(host, path):
        """The second article is not served until the first is extracted: the crawl cannot end before."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not extracted(db_url, first):
            time.sleep(0.05)
        released_by_extraction.append(extracted(db_url, first))

    fixture_web.inject({"kind": "call", "function": hold_until_first_is_extracted}, urlsplit(second).hostname,
                       urlsplit(second).path)
    try:
        done = crawl_and_extract(settings_for(db_url, fixture_web, tmp_path), SITE, DAY, workers=1,
                                 overrides={"INGOT_BATCH_SIZE": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "4"},
                                 progress=lambda line: None)
    finally:
        fixture_web.clear_faults()
    assert released_by_extraction == [True], "the first article was not extracted while the crawl waited"
    assert done.crawl_error is None and done.extraction_error is None
    assert done.crawl.status == "succeeded"
    assert extracted(db_url, first) and extracted(db_url, second)  # the last pass took what came at the end
    assert done.extraction.pages == done.crawl.stats["pages"]["article"]
    assert (tmp_path / "logs" / f"crawl-{SITE}-{DAY}.log").read_text(encoding="utf-8")  # the crawler's log is kept


def test_a_failed_crawl_is_reported_with_what_extraction_did_and_each_attempt_is_logged(db_url, fixture_web,
                                                                                         tmp_path):
    fixture_web.inject({"kind": "status", "status": 503}, "eurometal.net")
    try:
        attempts = [crawl_and_extract(settings_for(db_url, fixture_web, tmp_path), SITE, DAY, workers=1,
                                      overrides={"RETRY_TIMES": "0"}, progress=lambda line: None) for _ in range(2)]
    finally:
        fixture_web.clear_faults()
    for done in attempts:
        assert done.crawl is None and "robots.txt unreachable (HTTP 503)" in str(done.crawl_error)
        assert done.extraction is not None and done.extraction.pages == 0 and done.extraction_error is None
    log = (tmp_path / "logs" / f"crawl-{SITE}-{DAY}.log").read_text(encoding="utf-8")
    assert log.count(f"--- ingot: crawl of {SITE} for {DAY}") == 2  # the retry's lines follow the first attempt's
