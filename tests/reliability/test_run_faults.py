"""Whole-site faults in one daily run (``dag.test()``): each failing site ends with its reason in the report and
the crawl_run row, and the healthy site beside them lands complete.

| site          | fault                                              | outcome                                  |
|---------------|----------------------------------------------------|------------------------------------------|
| faultrobots   | robots.txt stalls past the download timeout        | crawl failed: robots.txt unreachable     |
| faultwall     | 403 for every path (bot wall, switched per host)   | crawl failed: HTTP 403                   |
| faultfeed     | feed XML breaks off after two items                | partial: feed cut; 2 articles            |
| faultsitemap  | sitemap of 50,000 URLs, two from the news day      | succeeded: 2 articles, 49,998 too old    |
| cmra          | none                                               | succeeded, its articles stored           |
"""

from __future__ import annotations

import psycopg
import pytest

from ingot.fixture_web import FixtureWeb
from tests.airflow.test_end_to_end import DAY, DagRunner, articles_by_site
from tests.conftest import truncate_all
from tests.reliability.faultsite import write_run_level_sites

SITES = ["faultrobots", "faultwall", "faultfeed", "faultsitemap", "cmra"]
FAST = {"RETRY_TIMES": 1, "RETRY_BACKOFF_MAX": 2, "DOWNLOAD_TIMEOUT": 2}


@pytest.fixture(scope="module")
def faulty_run(migrated_db_url, tmp_path_factory):
    truncate_all(migrated_db_url)
    root = tmp_path_factory.mktemp("run-faults")
    hosts = write_run_level_sites(root, DAY)
    with FixtureWeb(root / "web") as web:
        web.inject({"kind": "stall", "seconds": 6}, hosts["faultrobots"], "/robots.txt")
        web.inject({"kind": "status", "status": 403}, hosts["faultwall"])
        runner = DagRunner(root / "home", migrated_db_url, web, root / "sites")
        returncode, log = runner.run(DAY, SITES, scrapy_settings=FAST)
        report = runner.report(DAY, SITES)
        requests = list(web.requests)
    with psycopg.connect(migrated_db_url) as conn:
        runs = {row[0]: row[1:] for row in conn.execute("SELECT site_key, status, error, stats FROM crawl_run")}
    yield {"returncode": returncode, "log": log, "report": report, "runs": runs, "hosts": hosts,
           "requests": requests, "articles": articles_by_site(migrated_db_url)}
    truncate_all(migrated_db_url)


def failed_lines(report: str) -> dict[str, str]:
    lines = report.split("failed sites:")[1].strip().splitlines() if "failed sites:" in report else []
    return {line.strip().split(":")[0]: line.strip() for line in lines}


def test_run_fault_robots_txt_timing_out_fails_the_site_without_fetching_it(faulty_run):
    status, error, stats = faulty_run["runs"]["faultrobots"]
    assert status == "failed" and "robots.txt unreachable (DownloadTimeoutError)" in error, error
    assert stats["robots_unreachable"] == 1 and stats["pages"] == {}
    paths = {r.path for r in faulty_run["requests"] if r.host == faulty_run["hosts"]["faultrobots"]}
    assert paths == {"/robots.txt"}, "RFC 9309: an unreachable robots.txt means nothing else is fetched"
    assert "robots.txt unreachable" in failed_lines(faulty_run["report"])["faultrobots"]


def test_run_fault_bot_wall_403_on_every_page_fails_the_site_with_http_403(faulty_run):
    status, error, stats = faulty_run["runs"]["faultwall"]
    assert status == "failed" and "HTTP 403" in error
    assert "HTTP 403" in failed_lines(faulty_run["report"])["faultwall"]
    assert not faulty_run["articles"].get("faultwall")


def test_run_fault_broken_feed_xml_keeps_the_items_before_the_break_and_says_so(faulty_run):
    status, error, stats = faulty_run["runs"]["faultfeed"]
    assert status == "partial" and "feed cut at byte" in error and "2 entries read" in error, error
    assert faulty_run["articles"]["faultfeed"] == 2


def test_run_fault_sitemap_of_50000_urls_fetches_only_the_news_days(faulty_run):
    status, error, stats = faulty_run["runs"]["faultsitemap"]
    assert status == "succeeded", error
    assert stats["new_articles"] == 2 and stats["requests"] <= 5
    assert faulty_run["articles"]["faultsitemap"] == 2
    assert stats["duration_s"] < 60


def test_run_fault_sites_leave_the_healthy_site_complete_and_the_run_failed(faulty_run):
    assert faulty_run["returncode"] != 0, "a run with failed sites is a failed run"
    assert faulty_run["runs"]["cmra"][0] == "succeeded"
    assert faulty_run["articles"]["cmra"] >= 2
    assert set(failed_lines(faulty_run["report"])) == {"faultrobots", "faultwall"}, faulty_run["report"]
