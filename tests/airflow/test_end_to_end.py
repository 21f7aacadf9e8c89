"""The daily DAG, end to end: ``airflow dags test`` (``dag.test()``) against the fixture web and a real Postgres.

Each run is a subprocess with a throwaway project-local Airflow home, as ``ingot run`` starts it; the crawls run
Scrapy against the loopback fixture web with the sites' real URLs. Runs take seconds per site, so the session
shares its run of every fixture site (``daily_runs``, tests/airflow/conftest.py) between tests.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import psycopg
import pytest

from ingot.daily import PLAN_MISSING
from ingot.fixture_web import FixtureWeb
from ingot.paths import FIXTURE_WEB_DIR, SITES_DIR
from ingot.sites import load_sites
from tests.airflow.dag_runs import DAY, STABLE_QUERIES, DagRunner, articles_by_site, fixture_sites
from tests.airflow.webhook import Webhook


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
    """A copy of the sites and the fixture web in which one site refuses everything but robots.txt (HTTP 403)."""
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
                page.with_name(page.name + ".meta.json").write_text(json.dumps({"status": 403}))
    with FixtureWeb(web_root) as web:
        yield {"sites_dir": sites_dir, "web": web, "broken": broken_key, "healthy": healthy}


def test_a_failing_site_leaves_the_others_complete_and_the_report_names_it(db_url, broken_web, airflow_home):
    with Webhook() as hook:
        runner = DagRunner(airflow_home, db_url, broken_web["web"], broken_web["sites_dir"], alert_webhook=hook.url)
        sites = [broken_web["broken"], *broken_web["healthy"]]
        returncode, log = runner.run(DAY, sites)
    report = runner.report(DAY, sites)
    assert returncode != 0, "a run with a failed site is a failed run"
    articles = articles_by_site(db_url)
    assert all(articles.get(key) for key in broken_web["healthy"]), report
    assert not articles.get(broken_web["broken"])
    failed_lines = report.split("failed sites:")[1].strip().splitlines()
    assert failed_lines and all(line.strip().startswith(broken_web["broken"] + ":") for line in failed_lines)
    assert "crawl failed" in failed_lines[0] and "blocked by the site: HTTP 403" in failed_lines[0], report
    assert "layout change" not in report
    # every mapped task, the failed site's too, is labelled by its site key
    assert runner.labels() == {"site.crawl": sorted(sites), "site.extract": sorted(sites)}
    assert f"{broken_web['broken']}: crawl failed" in log, "the report task's log names the site too"
    # the failure callback posted the report's failed-site lines to the webhook
    assert len(hook.posted) == 1, log[-4000:]
    alert = hook.posted[0]["text"].splitlines()
    assert alert[0].startswith("ingot_daily run ") and "failed" in alert[0]
    assert alert[1:] == [line.strip() for line in failed_lines]


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
    with Webhook() as hook:
        runner = DagRunner(airflow_home, db_url, fixture_web_server, alert_webhook=hook.url)
        returncode, log = runner.run(DAY, ["no_such_site"])
    assert returncode != 0
    assert "unknown site 'no_such_site'" in log, "plan says what was wrong"
    assert log.count(PLAN_MISSING) >= 2, "check and report both say the plan failed"
    assert "TypeError" not in log
    assert [post["text"].splitlines()[1] for post in hook.posted] == [PLAN_MISSING]
