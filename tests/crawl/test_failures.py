"""A site that breaks ends its own run failed or partial, with the reason recorded; the others are unaffected."""

from __future__ import annotations

import json
import shutil
from datetime import date

import psycopg
import pytest

from ingot.crawl_job import CrawlFailed
from ingot.fixture_web import FixtureWeb
from ingot.paths import FIXTURE_WEB_DIR
from tests.crawl.helpers import crawl, stored_pages

DAY = date(2026, 9, 28)
FAST_FAILURE = {"DOWNLOAD_TIMEOUT": "1", "RETRY_TIMES": "1"}


def sidecar(path, **meta):
    path.with_name(path.name + ".meta.json").write_text(json.dumps(meta))


@pytest.fixture(scope="module")
def broken_web(tmp_path_factory):
    root = tmp_path_factory.mktemp("broken") / "web"
    shutil.copytree(FIXTURE_WEB_DIR, root)
    for page in (root / "eurometal.net").rglob("*"):  # 500 for everything but robots.txt
        if page.is_file() and not page.name.endswith(".meta.json") and page.name != "robots.txt":
            sidecar(page, status=500)
    releases = root / "worldsteel.org" / "media" / "press-releases" / "2026"
    sidecar(releases / "august-2026-crude-steel-production" / "index.html", delay=3)
    orbis = root / "www.steelorbis.com" / "steel-news" / "latest-news"
    sidecar(orbis / "turkish-rebar-export-offers-edge-up-1398765.htm", truncate=300)
    with FixtureWeb(root) as web:
        yield web


def run_row(db_url, site_key):
    with psycopg.connect(db_url) as conn:
        return conn.execute("SELECT status, error, stats, finished_at FROM crawl_run WHERE site_key = %s",
                            (site_key,)).fetchone()


def test_a_site_answering_500_to_everything_fails_with_its_reason(db_url, broken_web):
    with pytest.raises(CrawlFailed) as error:
        crawl(db_url, broken_web, "eurometal", DAY, overrides=FAST_FAILURE)
    assert "eurometal" in str(error.value) and "HTTP 500" in str(error.value)
    status, reason, stats, finished_at = run_row(db_url, "eurometal")
    assert status == "failed" and finished_at is not None
    assert "2 fetch(es) failed (HTTP 500 x2)" in reason
    assert stats["errors"] == 2 and stats["responses"]["500"] >= 4 and stats["retries"] >= 2
    assert stored_pages(db_url, "eurometal", kind=None) == {}

    healthy = crawl(db_url, broken_web, "cmra", DAY)  # the next site in the same web is unaffected
    assert healthy.status == "succeeded" and healthy.stats["new_articles"] == 2


@pytest.mark.parametrize("status", [503, 429])
def test_a_robots_txt_answering_a_server_error_means_nothing_is_fetched(db_url, broken_web, status):
    """RFC 9309 2.3.1.4: a robots.txt the server cannot give is "disallow everything", not "allow everything"."""
    host = "www.argusmedia.com"
    broken_web.clear_log()
    broken_web.inject({"kind": "status", "status": status}, host, "/robots.txt")
    try:
        with pytest.raises(CrawlFailed) as error:
            crawl(db_url, broken_web, "argus", DAY, overrides=FAST_FAILURE)
    finally:
        broken_web.clear_faults()
    assert f"robots.txt unreachable (HTTP {status})" in str(error.value)
    status_row, reason, stats, _ = run_row(db_url, "argus")
    assert status_row == "failed" and stats["robots_unreachable"] == 1 and stats["pages"] == {}
    assert {r.path for r in broken_web.requests if r.host == host} == {"/robots.txt"}


def test_a_missing_robots_txt_allows_everything(db_url, broken_web):
    outcome = crawl(db_url, broken_web, "argus", DAY)  # the fixture site has no robots.txt: a 404
    assert outcome.status == "succeeded" and outcome.stats["new_articles"] == 2


def test_a_timeout_leaves_the_run_partial(db_url, broken_web):
    outcome = crawl(db_url, broken_web, "worldsteel", DAY, overrides=FAST_FAILURE)
    assert outcome.status == "partial"
    assert "TimeoutError" in outcome.error and "august-2026-crude-steel-production" in outcome.error
    assert set(stored_pages(db_url, "worldsteel")) == {
        "https://worldsteel.org/media/press-releases/2026/worldsteel-publishes-sustainability-indicators-2026/"}


def test_a_truncated_body_is_never_stored_and_leaves_the_run_partial(db_url, broken_web):
    outcome = crawl(db_url, broken_web, "steelorbis", DAY, overrides=FAST_FAILURE)
    assert outcome.status == "partial"
    assert "1 fetch(es) failed" in outcome.error and "1398765" in outcome.error
    stored = stored_pages(db_url, "steelorbis")
    assert list(stored) == ["https://www.steelorbis.com/steel-news/latest-news/"
                            "china-iron-ore-port-stocks-fall-slightly-1398702.htm"]
