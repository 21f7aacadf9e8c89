"""Two crawls of one site and day at once: the second refuses to start while the first holds the day's run, so
no page is fetched twice; a crawler that died holding the run does not block its rerun."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import psycopg
import pytest

from crawlers.crawl_runs import CrawlAlreadyRunning, open_run
from ingot.crawl_job import CrawlFailed, start_crawl
from ingot.paths import SITES_DIR
from ingot.settings import Settings
from tests.crawl.helpers import crawl, expected

SITE = "steelorbis"
SITEMAP = "/sitemap-news-en-free-1.xml"


def settings(db_url, web) -> Settings:
    return Settings(database_url=db_url, home=Path("/nonexistent-ingot-home"), sites_dir=SITES_DIR,
                    contact_url="https://example.org/ingot-tests", news_timezone="Asia/Shanghai",
                    raw_retention_days=90, fixture_web=web.address)


def test_a_second_crawl_of_the_same_site_and_day_is_refused_while_the_first_runs(db_url, fixture_web):
    day = date.fromisoformat(expected(SITE)["crawl_day"])
    first_may_go = threading.Event()
    # the first crawl, once its run is open, waits at its sitemap until the second crawl has been refused
    fixture_web.inject({"kind": "call", "function": lambda host, path: first_may_go.wait(300), "times": 1},
                       "www.steelorbis.com", SITEMAP)
    try:
        first = start_crawl(settings(db_url, fixture_web), SITE, day, overrides={"DOWNLOAD_TIMEOUT": "600"})
        try:
            while not any(r.path == SITEMAP for r in fixture_web.requests):  # its run is open by now
                assert first.running(), "the first crawl ended before fetching its sitemap"
                threading.Event().wait(0.1)
            with pytest.raises(CrawlFailed, match=f"a crawl of {SITE} for {day} is already running"):
                crawl(db_url, fixture_web, SITE, day)
        finally:
            first_may_go.set()
        outcome = first.wait()
    finally:
        fixture_web.clear_faults()
    assert outcome.status == "succeeded"
    paths = [r.path for r in fixture_web.requests if r.host == "www.steelorbis.com"]
    assert paths.count(SITEMAP) == 1 and len(paths) == len(set(paths)), paths  # nothing fetched twice


def test_a_run_left_running_by_a_dead_crawler_is_taken_over(db_url):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("INSERT INTO site (key, name, base_url, languages, timezone, rule_version) "
                     "VALUES ('alpha', 'Alpha', 'https://alpha.example/', '{en}', 'UTC', 1)")
        with psycopg.connect(db_url, autocommit=True) as dead:
            run_id = open_run(dead, "alpha", date(2026, 9, 28))
            with pytest.raises(CrawlAlreadyRunning):  # alive: refused
                open_run(conn, "alpha", date(2026, 9, 28))
            pid = dead.info.backend_pid
        # a closed session's server process ends a moment after its client: wait for that state, not a clock
        for _ in range(6000):
            if not conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0]:
                break
            threading.Event().wait(0.01)
        else:
            pytest.fail(f"database session {pid} never ended")
        assert open_run(conn, "alpha", date(2026, 9, 28)) == run_id  # its session gone: reopened
