"""The task bodies' pure parts: which day, which sites, the report; and the project-local Airflow settings."""

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from ingot.airflow_env import airflow_environment, run_conf
from ingot.daily import (PlanMissing, SiteDay, load_site_days, news_day_for, one_line, planned_sites_and_day,
                         render_report, save_crawl_result, save_extract_result, select_sites)
from ingot.errors import ConfigurationError
from ingot.settings import Settings
from ingot.sites import Site
from tests.store.pages import add_crawl_run, add_raw_page


def site(key: str, enabled: bool = True) -> Site:
    return Site(key=key, name=key, base_url=f"https://{key}.example/", timezone="UTC", rule_version=1,
                allowed_hosts=(f"{key}.example",), enabled=enabled)


def test_news_day_is_the_data_interval_start_in_the_news_time_zone():
    # the scheduled run of 2026-03-10 05:30 Shanghai covers [03-09 05:30, 03-10 05:30): news day 03-09
    start = datetime(2026, 3, 8, 21, 30, tzinfo=timezone.utc)
    assert news_day_for(start, "Asia/Shanghai") == date(2026, 3, 9)
    assert news_day_for(start, "Europe/Paris") == date(2026, 3, 8)


def test_all_enabled_sites_unless_some_are_requested():
    sites = {"a": site("a"), "b": site("b", enabled=False), "c": site("c")}
    assert select_sites(sites, []) == ["a", "c"]
    assert select_sites(sites, ["b"]) == ["b"]
    with pytest.raises(ConfigurationError, match="'zz'"):
        select_sites(sites, ["zz"])


def test_one_line_keeps_the_message_of_our_errors_and_names_other_types():
    assert one_line(ConfigurationError("bad\n  thing")) == "bad thing"
    assert one_line(ValueError("x")) == "ValueError: x"
    assert one_line(RuntimeError()) == "RuntimeError"


def test_report_lists_every_site_and_names_failed_ones_with_the_reason():
    report = render_report(date(2026, 3, 9), [
        SiteDay("cnmn", "succeeded", 12, 10, 1, 0),
        SiteDay("smm_fr", "failed", 0, 0, 0, 0, ("crawl failed: news.metal.com unreachable",)),
    ])
    lines = report.splitlines()
    assert "2 sites, 1 complete, 1 failed" in lines[0]
    assert lines[1].split() == ["site", "crawl", "found", "new", "rejected", "failed"]
    assert lines[2].split() == ["cnmn", "succeeded", "12", "10", "1", "0"]
    assert "smm_fr: crawl failed: news.metal.com unreachable" in report


def test_report_rows_come_from_the_database(db_url):
    day = date(2026, 3, 9)
    with psycopg.connect(db_url) as conn:
        for key in ("a", "b", "c"):
            conn.execute("INSERT INTO site (key, name, base_url, timezone, rule_version) "
                         "VALUES (%s, %s, 'https://x/', 'UTC', 1)", (key, key))
        earlier = add_crawl_run(conn, "a", day - timedelta(days=1))
        today = add_crawl_run(conn, "a", day)
        fetched = datetime(2026, 3, 9, 6, 0, tzinfo=timezone.utc)
        pages = {
            "seen_before": add_raw_page(conn, earlier, "a", "https://x/1", b"<p>1</p>",
                                        fetched_at=datetime(2026, 3, 8, tzinfo=timezone.utc)),
            "again": add_raw_page(conn, today, "a", "https://x/1", b"<p>1</p>", fetched_at=fetched),
            "new": add_raw_page(conn, today, "a", "https://x/2", b"<p>2</p>", fetched_at=fetched),
            "list": add_raw_page(conn, today, "a", "https://x/", b"<p>list</p>", fetched_at=fetched),
        }
        for name, reason in (("again", None), ("new", None), ("list", "not_article")):
            conn.execute("INSERT INTO page_extraction (raw_page_id, outcome, reason, rule_version, extractor_version) "
                         "VALUES (%s, %s, %s, 1, 'test')", (pages[name], "rejected" if reason else "article", reason))
    # the counts come from the stored pages and outcomes, whatever the task summaries say
    save_crawl_result(db_url, "a", day, "succeeded", None, {"requests": 3, "extraction": {"articles_new": 9}})
    save_extract_result(db_url, "a", day, "succeeded", None, {"articles_new": 4})
    save_crawl_result(db_url, "b", day, "failed", "b.example unreachable: DNS lookup failed", {})
    rows = {row.site_key: row for row in load_site_days(db_url, ["a", "b", "c"], day)}
    assert rows["a"] == SiteDay("a", "succeeded", 2, 1, 1, 0, ())
    assert rows["b"].failed_because == ("crawl failed (site unreachable): b.example unreachable: DNS lookup failed",)
    assert rows["c"].crawl_status is None and "no crawl recorded" in rows["c"].failed_because[0]


def test_project_local_airflow_uses_sqlite_under_the_ingot_home_and_our_dags(tmp_path):
    settings = Settings.from_env({"INGOT_HOME": str(tmp_path)})
    env = airflow_environment(settings, base={})
    assert env["AIRFLOW_HOME"] == str(tmp_path / "airflow")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path / 'airflow' / 'airflow.db'}"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert Path(env["AIRFLOW__CORE__DAGS_FOLDER"], "ingot_daily.py").is_file()
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert int(env["AIRFLOW__CORE__PARALLELISM"]) <= 4


def test_interactive_runs_do_not_retry_and_time_box_crawls():
    conf = run_conf(date(2026, 3, 9), ["a"], crawl_timeout_minutes=3)
    assert conf == {"day": "2026-03-09", "sites": ["a"], "retry_failed_tasks": False, "recrawl": True,
                    "crawl_timeout_minutes": 3, "scrapy_settings": {"RETRY_TIMES": 1, "RETRY_BACKOFF_MAX": 4,
                                                                    "DOWNLOAD_TIMEOUT": 20}}


def test_a_crawl_that_stored_nothing_and_met_errors_is_unusable():
    from ingot.daily import unusable_crawl_reason

    assert unusable_crawl_reason({"pages": {}, "responses": {"200": 1, "500": 6, "503": 1}}) == "HTTP 500 x6, 503 x1"
    # the site refuses us: said in so many words, not as a broken site or rule
    assert unusable_crawl_reason({"pages": {}, "responses": {"200": 1, "403": 6}}) \
        == "blocked by the site: HTTP 403 x6 of 7 responses"
    assert unusable_crawl_reason({"pages": {}, "responses": {"401": 2, "451": 1, "404": 1}}) \
        == "blocked by the site: HTTP 401 x2, 451 x1 of 4 responses"
    offline = {"pages": {}, "responses": {}, "errors": 2, "error_samples": ["DNS lookup failed"]}
    assert unusable_crawl_reason(offline) == "2 download errors, e.g. DNS lookup failed"
    assert unusable_crawl_reason({"pages": {"feed": 1}, "responses": {"200": 1, "500": 3}}) is None
    assert unusable_crawl_reason({"pages": {}, "responses": {"304": 1}}) is None  # nothing new: not a failure
    assert unusable_crawl_reason({}) is None


def test_network_failures_read_as_unreachable_in_the_report(db_url):
    day = date(2026, 3, 9)
    with psycopg.connect(db_url) as conn:
        conn.execute("INSERT INTO site (key, name, base_url, timezone, rule_version) "
                     "VALUES ('x', 'x', 'https://x/', 'UTC', 1)")
    save_crawl_result(db_url, "x", day, "failed", "x: 1 fetch(es) failed (CannotResolveHostError: DNS lookup "
                      "failed: no results for hostname lookup: x.example.)", {})
    [row] = load_site_days(db_url, ["x"], day)
    # the report's line names the site: the message does not repeat it
    assert row.failed_because[0].startswith("crawl failed (site unreachable): 1 fetch(es) failed")


def test_a_failed_or_empty_plan_is_one_clear_line_not_a_type_error():
    for site_days in (None, []):
        with pytest.raises(PlanMissing) as raised:
            planned_sites_and_day(site_days)
        assert str(raised.value) == "plan failed: no sites were planned; see the plan task's log"
    assert planned_sites_and_day([{"site_key": "a", "day": "2026-03-09"}, {"site_key": "b", "day": "2026-03-09"}]) \
        == (["a", "b"], date(2026, 3, 9))


def test_a_crawl_the_site_refused_reads_as_blocked_by_the_site_in_the_report(db_url):
    day = date(2026, 3, 9)
    with psycopg.connect(db_url) as conn:
        conn.execute("INSERT INTO site (key, name, base_url, timezone, rule_version) "
                     "VALUES ('x', 'x', 'https://x/', 'UTC', 1)")
        conn.execute("INSERT INTO crawl_run (site_key, news_day, status, error, stats) VALUES ('x', %s, 'failed', "
                     "'1 fetch(es) failed (HTTP 403 x1)', '{\"responses\": {\"200\": 1, \"403\": 1}}')", (day,))
    save_crawl_result(db_url, "x", day, "failed", "x: crawl for 2026-03-09 failed: 1 fetch(es) failed (HTTP 403 x1)",
                      {})
    [row] = load_site_days(db_url, ["x"], day)
    assert row.failed_because == ("crawl failed (blocked by the site: HTTP 403 x1 of 2 responses): crawl for "
                                  "2026-03-09 failed: 1 fetch(es) failed (HTTP 403 x1)",)
    # a crawl whose own error already says so is not told twice
    save_crawl_result(db_url, "x", day, "failed", "x: got no usable response (blocked by the site: HTTP 403 x1 of 2 "
                      "responses)", {})
    [row] = load_site_days(db_url, ["x"], day)
    assert row.failed_because[0].count("blocked by the site") == 1
