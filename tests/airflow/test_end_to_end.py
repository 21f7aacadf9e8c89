"""The daily DAG, end to end: ``airflow dags test`` (``dag.test()``) against the fixture web and a real Postgres.

Each run is a subprocess with a throwaway project-local Airflow home, as ``ingot run`` starts it; the crawls run
Scrapy against the loopback fixture web with the sites' real URLs. Runs take seconds per site, so the module
shares its runs between tests.
"""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest

from ingot.airflow_env import airflow_environment, prepare_airflow, run_conf, run_daily_dag
from ingot.commands.demo import fixture_news_day
from ingot.daily import PLAN_MISSING, load_site_days, render_report
from ingot.fixture_web import FixtureWeb
from ingot.paths import FIXTURE_WEB_DIR, PROJECT_ROOT, SITES_DIR
from ingot.settings import Settings
from ingot.sites import load_sites

EXPECTED_DIR = PROJECT_ROOT / "tests" / "fixtures" / "expected"
DAY = fixture_news_day() or date(2026, 9, 28)
# Tables whose rows a rerun of the same day must leave exactly as they were (ids included).
STABLE_QUERIES = {
    "article": "SELECT id, canonical_url, site_key, title, text, published_at, first_seen_at, extracted_at "
               "FROM article ORDER BY id",
    "raw_page": "SELECT id, crawl_run_id, url, body_sha256, fetched_at FROM raw_page ORDER BY id",
    # extracted_at says when a page was last extracted: a forced re-extraction moves it, nothing else
    "page_extraction": "SELECT raw_page_id, outcome, reason, detail, article_id, rule_version, extractor_version "
                       "FROM page_extraction ORDER BY raw_page_id",
    "crawl_run": "SELECT id, site_key, news_day FROM crawl_run ORDER BY id",
    "quality_check": "SELECT site_key, news_day, metric, value, baseline, status, checked_at FROM quality_check "
                     "ORDER BY 1, 2, 3",
}


def fixture_sites() -> list[str]:
    """Enabled sites that have fixture pages and expectations."""
    return [key for key, site in load_sites(SITES_DIR).items()
            if site.enabled and (EXPECTED_DIR / f"{key}.json").is_file()]


class DagRunner:
    """Runs the daily DAG in a subprocess against one database, fixture web and sites folder."""

    def __init__(self, home: Path, db_url: str, web: FixtureWeb, sites_dir: Path = SITES_DIR):
        self.settings = Settings.from_env({"INGOT_HOME": str(home), "INGOT_DATABASE_URL": db_url,
                                           "INGOT_SITES_DIR": str(sites_dir), "INGOT_FIXTURE_WEB": web.address})
        self.env = airflow_environment(self.settings)
        self.env.update({"INGOT_HOME": str(home), "INGOT_DATABASE_URL": db_url, "INGOT_SITES_DIR": str(sites_dir),
                         "INGOT_FIXTURE_WEB": web.address})
        self.db_url = db_url
        prepare_airflow(self.settings, self.env)

    def run(self, day: date, sites: list[str], **params) -> tuple[int, str]:
        log_path = self.settings.airflow_home / "logs" / f"test-run-{day}-{uuid.uuid4().hex[:8]}.log"
        conf = run_conf(day, sites, crawl_timeout_minutes=2) | params
        returncode = run_daily_dag(self.env, conf, log_path)
        return returncode, log_path.read_text(encoding="utf-8", errors="replace")

    def report(self, day: date, sites: list[str]) -> str:
        return render_report(day, load_site_days(self.db_url, sites, day))


def snapshot(db_url: str) -> dict[str, list]:
    with psycopg.connect(db_url) as conn:
        return {name: conn.execute(query).fetchall() for name, query in STABLE_QUERIES.items()}


def articles_by_site(db_url: str) -> dict[str, int]:
    with psycopg.connect(db_url) as conn:
        return dict(conn.execute("SELECT site_key, count(*) FROM article GROUP BY site_key").fetchall())


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ingot-home")


@pytest.fixture(scope="module")
def daily_runs(migrated_db_url, fixture_web_server, airflow_home):
    """Every fixture site, run twice for the same news day; what the database held after each run.

    The rerun is what clearing the day in Airflow does (a crawl that succeeded is not repeated), plus a forced
    re-extraction of every stored page, so that the crawl skip and the extraction upserts are both exercised.
    """
    from tests.conftest import truncate_all

    truncate_all(migrated_db_url)
    runner = DagRunner(airflow_home, migrated_db_url, fixture_web_server)
    sites = fixture_sites()
    first = runner.run(DAY, sites)
    after_first = snapshot(migrated_db_url)
    report_first = runner.report(DAY, sites)
    second = runner.run(DAY, sites, recrawl=False, reextract=True)
    yield {"sites": sites, "runs": [first, second], "snapshots": [after_first, snapshot(migrated_db_url)],
           "report": report_first, "articles": articles_by_site(migrated_db_url)}
    truncate_all(migrated_db_url)


def test_articles_land_for_every_fixture_site(daily_runs):
    returncode, log = daily_runs["runs"][0]
    assert returncode == 0, daily_runs["report"] + "\n" + log[-4000:]
    missing = [key for key in daily_runs["sites"] if not daily_runs["articles"].get(key)]
    assert missing == [], daily_runs["report"]
    assert "0 failed" in daily_runs["report"].splitlines()[0]


def test_running_the_same_day_again_changes_no_row(daily_runs):
    returncode, log = daily_runs["runs"][1]
    assert returncode == 0, log[-4000:]
    first, second = daily_runs["snapshots"]
    for table in STABLE_QUERIES:
        assert second[table] == first[table], table


@pytest.fixture(scope="module")
def broken_web(tmp_path_factory):
    """A copy of the sites and the fixture web in which one site answers 500 to everything but robots.txt."""
    root = tmp_path_factory.mktemp("broken")
    sites = fixture_sites()[:3]
    broken_key, healthy = sites[0], sites[1:]
    sites_dir = root / "sites"
    sites_dir.mkdir()
    for key in sites:
        shutil.copy(SITES_DIR / f"{key}.yaml", sites_dir)
    web_root = root / "web"
    shutil.copytree(FIXTURE_WEB_DIR, web_root)
    for host in load_sites(sites_dir)[broken_key].allowed_hosts:
        for page in (web_root / host).rglob("*") if (web_root / host).is_dir() else []:
            if page.is_file() and not page.name.endswith(".meta.json") and page.name != "robots.txt":
                page.with_name(page.name + ".meta.json").write_text(json.dumps({"status": 500}))
    with FixtureWeb(web_root) as web:
        yield {"sites_dir": sites_dir, "web": web, "broken": broken_key, "healthy": healthy}


def test_a_failing_site_leaves_the_others_complete_and_the_report_names_it(db_url, broken_web, airflow_home):
    runner = DagRunner(airflow_home, db_url, broken_web["web"], broken_web["sites_dir"])
    sites = [broken_web["broken"], *broken_web["healthy"]]
    returncode, log = runner.run(DAY, sites)
    report = runner.report(DAY, sites)
    assert returncode != 0, "a run with a failed site is a failed run"
    articles = articles_by_site(db_url)
    assert all(articles.get(key) for key in broken_web["healthy"]), report
    assert not articles.get(broken_web["broken"])
    failed_lines = report.split("failed sites:")[1].strip().splitlines()
    assert failed_lines and all(line.strip().startswith(broken_web["broken"] + ":") for line in failed_lines)
    assert "crawl failed" in failed_lines[0]
    assert f"{broken_web['broken']}: crawl failed" in log, "the report task's log names the site too"


def test_a_site_whose_yield_drops_to_zero_on_the_second_day_fails_the_quality_check(db_url, fixture_web_server,
                                                                                  airflow_home):
    runner = DagRunner(airflow_home, db_url, fixture_web_server)
    site_key = fixture_sites()[0]
    returncode, log = runner.run(DAY, [site_key])
    assert returncode == 0, log[-4000:]
    # The next day the fixture site is unchanged: the incremental crawl finds no new article.
    next_day = DAY + timedelta(days=1)
    returncode, log = runner.run(next_day, [site_key])
    assert returncode != 0
    report = runner.report(next_day, [site_key])
    assert f"{site_key}: quality check failed: {site_key}: articles_found dropped to 0" in report
    assert f"{site_key}: articles_found dropped to 0" in log, "the check task fails naming the site and metric"
    with psycopg.connect(db_url) as conn:
        status = conn.execute("SELECT status FROM quality_check WHERE site_key = %s AND news_day = %s "
                              "AND metric = 'articles_found'", (site_key, next_day)).fetchone()
    assert status == ("fail",)


def test_a_run_whose_plan_fails_ends_with_one_clear_line_from_check_and_report(db_url, fixture_web_server,
                                                                             airflow_home):
    runner = DagRunner(airflow_home, db_url, fixture_web_server)
    returncode, log = runner.run(DAY, ["no_such_site"])
    assert returncode != 0
    assert "unknown site 'no_such_site'" in log, "plan says what was wrong"
    assert log.count(PLAN_MISSING) >= 2, "check and report both say the plan failed"
    assert "TypeError" not in log
