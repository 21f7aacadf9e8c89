"""The daily ingot pipeline: plan → per site (crawl → extract) → quality checks → report.

Wiring only. At parse time this file imports nothing but the Airflow SDK and the standard library and touches no
database, network or file; it reads two environment variables, the schedule and its time zone. Task bodies call
``ingot.daily``, imported inside each task.

A site is a mapped task group: one crawl and one extract per site, so a failing site fails its own tasks only.
The crawl task extracts the pages its crawler stores while it runs; the extract task runs whatever its crawl did
(``all_done``) and takes the rest, so a partial crawl's pages are still extracted and a backfill re-extracts stored
pages. The news day is worked out once, by ``plan``, from the run's data interval
(or the ``day`` param), never from the clock.

The DAG has no ``start_date``: a new deployment's first scheduled run is the next 05:30 slot, not the slot that
passed before it was deployed. Airflow would otherwise fire that past slot the moment the scheduler starts, while
the API server that tasks report to is still starting; missed days are a backfill's job (see the README).
"""

from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import CronTriggerTimetable, Param, TriggerRule, dag, get_current_context, task, task_group

# Default: every day at 05:30 in the news time zone, covering the news day that has just ended.
SCHEDULE = os.environ.get("INGOT_SCHEDULE") or "30 5 * * *"
NEWS_TIMEZONE = os.environ.get("INGOT_NEWS_TIMEZONE") or "Asia/Shanghai"
CRAWL_POOL = "ingot_crawl"

default_args = {
    "owner": "ingot",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(hours=1),
    "execution_timeout": timedelta(hours=2),
}


def call_daily(function_name: str, *args, **kwargs):
    """Run ``ingot.daily.<function_name>(settings, ...)`` with this task's settings.

    Failures that a retry cannot fix (a quality check, the report, a configuration error) fail at once; so does
    everything when the run's ``retry_failed_tasks`` param is off (interactive runs, tests).
    """
    from airflow.sdk.exceptions import AirflowFailException

    from ingot import daily
    from ingot.errors import ConfigurationError, SiteRuleError

    params = get_current_context()["params"]
    try:
        return getattr(daily, function_name)(task_settings(), *args, **kwargs)
    except (daily.QualityCheckFailed, daily.SitesFailed, daily.PlanMissing, ConfigurationError,
            SiteRuleError) as error:
        raise AirflowFailException(str(error)) from error
    except Exception as error:
        if not params.get("retry_failed_tasks", True):
            raise AirflowFailException(daily.one_line(error)) from error
        raise


def task_settings():
    """Settings from the environment; the news database from the ``ingot_news`` connection when no URL is set."""
    import dataclasses

    from ingot.settings import Settings

    settings = Settings.from_env()
    if settings.database_url:
        return settings
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        url = Connection.get("ingot_news").get_uri()
    except AirflowNotFoundException:
        return settings  # the embedded PostgreSQL
    return dataclasses.replace(settings, database_url=url)


@dag(
    dag_id="ingot_daily",
    description="Crawl, extract, check and report the metals and low-carbon industry news of one news day",
    schedule=CronTriggerTimetable(SCHEDULE, timezone=NEWS_TIMEZONE, interval=timedelta(days=1)),
    catchup=False,
    max_active_runs=2,
    default_args=default_args,
    tags=["ingot", "news", "daily"],
    params={
        "day": Param(None, type=["null", "string"], format="date",
                     description="News day to cover (YYYY-MM-DD); empty: the day of the run's data interval"),
        "sites": Param([], type="array", items={"type": "string"},
                       description="Site keys to run; empty: every enabled site"),
        "recrawl": Param(False, type="boolean", description="Crawl again even when the day's crawl succeeded"),
        "reextract": Param(False, type="boolean", description="Re-extract every stored page of the day"),
        "retry_failed_tasks": Param(True, type="boolean",
                                    description="Retry failed crawls and extractions with backoff"),
        "crawl_timeout_minutes": Param(45, type="number", minimum=1,
                                       description="Stop a site's crawl after this long"),
        "scrapy_settings": Param({}, type="object",
                                 description="Scrapy settings overriding the crawler's, e.g. {\"RETRY_TIMES\": 1}"),
    },
    doc_md=__doc__,
)
def ingot_daily():
    # The first task of a run, often the first of a fresh deployment whose API server is still starting: retried
    # soon (from 30 s, doubling). A bad request (an unknown site, a bad day) fails at once.
    @task(retries=4, retry_delay=timedelta(seconds=30))
    def plan() -> list[dict]:
        context = get_current_context()
        params = context["params"]
        interval_start = (context.get("data_interval_start") or context.get("logical_date")
                          or context["dag_run"].run_after)
        return call_daily("plan_run", requested_sites=params["sites"], requested_day=params["day"],
                          interval_start=interval_start)

    @task_group(group_id="site")
    def site_pipeline(site_key: str, day: str):
        @task(pool=CRAWL_POOL, execution_timeout=timedelta(hours=1))
        def crawl(site_key: str, day: str) -> dict:
            from datetime import date

            params = get_current_context()["params"]
            return call_daily("crawl_one_site", site_key, date.fromisoformat(day), recrawl=params["recrawl"],
                              timeout_minutes=params["crawl_timeout_minutes"],
                              scrapy_settings=params["scrapy_settings"])

        @task(trigger_rule=TriggerRule.ALL_DONE)
        def extract(site_key: str, day: str) -> dict:
            from datetime import date

            reextract = get_current_context()["params"]["reextract"]
            return call_daily("extract_one_site", site_key, date.fromisoformat(day), reextract=reextract)

        crawl(site_key, day) >> extract(site_key, day)

    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0)
    def check(site_days: list[dict] | None) -> list[dict]:
        return call_daily("check_plan", site_days)

    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0)
    def report(site_days: list[dict] | None) -> str:
        return call_daily("report_plan", site_days)

    site_days = plan()
    per_site = site_pipeline.expand_kwargs(site_days)
    per_site >> check(site_days) >> report(site_days)


ingot_daily()
