"""The failure alert: its text from the run's report, and the post to a webhook on 127.0.0.1."""

from datetime import date

import psycopg

from ingot.alerts import alert_failed_run, alert_text, post_alert
from ingot.daily import PLAN_MISSING, SiteDay, render_report, save_crawl_result
from ingot.settings import Settings
from tests.airflow.webhook import Webhook

DAY = date(2026, 3, 9)


def test_the_alert_names_the_run_and_carries_the_failed_site_lines_of_the_report():
    report = render_report(DAY, [
        SiteDay("cnmn", "succeeded", 12, 10, 1, 0),
        SiteDay("argus", "failed", 0, 0, 0, 0, ("crawl failed: blocked by the site: HTTP 403 x6 of 7 responses",)),
    ])
    text = alert_text("scheduled__2026-03-09T21:30:00+00:00", "task_failure", report)
    assert text.splitlines() == ["ingot_daily run scheduled__2026-03-09T21:30:00+00:00 failed (task_failure)",
                                 "argus: crawl failed: blocked by the site: HTTP 403 x6 of 7 responses"]


def test_without_a_plan_the_alert_says_no_site_was_planned_and_a_timeout_says_how_far_the_run_got():
    assert alert_text("manual__1", None, None).splitlines() == ["ingot_daily run manual__1 failed", PLAN_MISSING]
    report = render_report(DAY, [SiteDay("cnmn", "succeeded", 12, 10, 1, 0)])
    assert alert_text("manual__2", "timed_out", report).splitlines()[1] == report.splitlines()[0]


def test_a_long_report_is_cut_with_a_pointer_to_the_log():
    report = render_report(DAY, [SiteDay(f"s{n:02}", "failed", 0, 0, 0, 0, ("crawl failed: x",)) for n in range(60)])
    lines = alert_text("r", None, report).splitlines()
    assert len(lines) == 42 and lines[-1] == "... and 20 more lines in the report task's log"


def test_the_alert_is_posted_as_json_text(db_url, tmp_path):
    with psycopg.connect(db_url) as conn:
        conn.execute("INSERT INTO site (key, name, base_url, timezone, rule_version) "
                     "VALUES ('argus', 'Argus', 'https://argus.example/', 'UTC', 1)")
    save_crawl_result(db_url, "argus", DAY, "failed", "argus: the crawl got no usable response (HTTP 500 x3)", {})
    with Webhook() as hook:
        settings = Settings.from_env({"INGOT_HOME": str(tmp_path), "INGOT_DATABASE_URL": db_url,
                                      "INGOT_ALERT_WEBHOOK": hook.url})
        text = alert_failed_run(settings, run_id="manual__1", reason="task_failure",
                                site_days=[{"site_key": "argus", "day": DAY.isoformat()}])
    assert hook.posted == [{"text": text}]
    assert text.splitlines()[1] == "argus: crawl failed: the crawl got no usable response (HTTP 500 x3)"


def test_no_webhook_no_post_and_a_webhook_that_refuses_does_not_raise(tmp_path):
    settings = Settings.from_env({"INGOT_HOME": str(tmp_path)})
    assert alert_failed_run(settings, run_id="r", reason=None, site_days=None) is None
    with Webhook(status=500) as hook:
        assert post_alert(hook.url, "x") is False
        assert hook.posted == [{"text": "x"}]
    assert post_alert("http://127.0.0.1:9/nothing-listens-here", "x") is False


def test_the_plan_of_a_run_is_found_in_the_news_database_when_its_xcom_cannot_be_read(db_url, tmp_path):
    from datetime import datetime, timedelta, timezone

    from ingot.alerts import planned_in_database
    from ingot.daily import SAVE_PLAN

    with psycopg.connect(db_url) as conn:
        conn.execute("INSERT INTO site (key, name, base_url, timezone, rule_version) "
                     "VALUES ('argus', 'Argus', 'https://argus.example/', 'UTC', 1)")
        started = conn.execute("SELECT now()").fetchone()[0]
        conn.execute(SAVE_PLAN, ("argus", DAY))
    settings = Settings.from_env({"INGOT_HOME": str(tmp_path), "INGOT_DATABASE_URL": db_url})
    # the scheduled run of 05:30 Shanghai on 10 March: its interval starts at 21:30 UTC on 8 March
    interval_start = datetime(2026, 3, 8, 21, 30, tzinfo=timezone.utc)
    assert planned_in_database(settings, requested_day=None, interval_start=interval_start, since=started) == \
        [{"site_key": "argus", "day": "2026-03-09"}]
    assert planned_in_database(settings, requested_day="2026-03-09", interval_start=None, since=started) == \
        [{"site_key": "argus", "day": "2026-03-09"}]
    later = started + timedelta(minutes=1)
    assert planned_in_database(settings, requested_day="2026-03-09", interval_start=None, since=later) is None
    assert planned_in_database(settings, requested_day="not a day", interval_start=None, since=started) is None
