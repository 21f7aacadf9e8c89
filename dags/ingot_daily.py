"""The daily ingot pipeline: plan → per site (crawl → extract) → quality checks → report.

Wiring only. At parse time this file imports nothing but the Airflow SDK and the standard library and touches no
database or network; it reads the schedule and its time zone from the environment, and the keys of the enabled
sites from the sites/ folder (a few small YAML files, with the YAML parser Airflow has already loaded) to offer
them in the trigger form. Task bodies call ``ingot.daily``, imported inside each task. ``RUNBOOK`` below is what
operators read in the UI (the DAG's docs).

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
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from airflow.sdk import CronTriggerTimetable, Param, TriggerRule, dag, get_current_context, task, task_group

# Default: every day at 05:30 in the news time zone, covering the news day that has just ended.
SCHEDULE = os.environ.get("INGOT_SCHEDULE") or "30 5 * * *"
NEWS_TIMEZONE = os.environ.get("INGOT_NEWS_TIMEZONE") or "Asia/Shanghai"
SITES_DIR = Path(os.environ.get("INGOT_SITES_DIR") or Path(__file__).resolve().parent.parent / "sites")
CRAWL_POOL = "ingot_crawl"
CRAWL_TIMEOUT = timedelta(hours=1)
# A run that has not finished after this long fails (and alerts), well before the next day's run starts.
RUN_TIMEOUT = timedelta(hours=12)
# Every mapped task of the site group is labelled by its site key in the UI instead of its index.
SITE_LABEL = "{{ task.op_kwargs['site_key'] }}"


def schedule_in_words(cron: str, timezone: str) -> str:
    """ "every day at 05:30 Asia/Shanghai (21:30 UTC)" for a daily cron, else the cron and its time zone."""
    fields = cron.split()
    if len(fields) == 5 and fields[2:] == ["*", "*", "*"] and fields[0].isdigit() and fields[1].isdigit():
        local = datetime.now(ZoneInfo(timezone)).replace(hour=int(fields[1]), minute=int(fields[0]))
        utc = local.astimezone(ZoneInfo("UTC"))
        return f"every day at {local:%H:%M} {timezone} ({utc:%H:%M} UTC)"
    return f"cron '{cron}' in {timezone}"


def enabled_site_keys(sites_dir: Path) -> list[str]:
    """The keys of the enabled sites (a rule file's key is its file name), for the trigger form's pick list.

    Only a convenience: a file that cannot be read here is left out, and ``plan`` validates the keys a run asks
    for against the real rules.
    """
    import yaml  # loaded by Airflow already

    keys = []
    for path in sorted(sites_dir.glob("*.yaml")):
        try:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader",
                                                                                   yaml.SafeLoader))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(document, dict) and document.get("enabled", True) is not False:
            keys.append(path.stem)
    return keys


SCHEDULE_IN_WORDS = schedule_in_words(SCHEDULE, NEWS_TIMEZONE)
SITE_KEYS = enabled_site_keys(SITES_DIR)

RUNBOOK = f"""
# ingot_daily: runbook

**Schedule**: {SCHEDULE_IN_WORDS}. Each run covers one **news day**: the calendar day, in {NEWS_TIMEZONE}, on
which the run's data interval starts (with the default schedule, the run of 05:30 on 10 March covers 9 March). A new deployment waits for
the next slot instead of firing the one that has passed; missed days are a backfill's job (README, "Which news
days a backfill covers").

## What each task does

| task | what it does | what its failure means |
|---|---|---|
| `plan` | picks the sites (the `sites` param, or every enabled site) and the news day (the `day` param, or the data interval's); copies the rules of `sites/` into the database | a bad param: an unknown site (the message lists the known ones) or a day that is not YYYY-MM-DD, failed at once; otherwise the database or the API server was unreachable, retried 4 times from 30 s |
| `site.crawl` | crawls one site (labelled by its key) with Scrapy, in the `{CRAWL_POOL}` pool, and extracts pages as they land; a crawl that already succeeded for that day is not repeated | the site was unreachable, blocked us, answered only errors, or the crawl outlived `crawl_timeout_minutes`; retried twice with backoff |
| `site.extract` | extracts the site's stored pages not extracted yet (all of them with `reextract`) and indexes the articles; runs whatever its crawl did | the extractor or the database failed; the pages stay stored, a rerun takes them |
| `check` | compares each site's day with its previous 14 days and stores every metric | a metric changed suddenly; the message names the site and the metric |
| `report` | one line per site (crawl status, articles found, new, rejected, failed) and each failed site with its reason | at least one site failed: the report lists which and why |

## What a failed site's reason means

- `crawl failed (site unreachable)`: DNS, refused connection or timeouts; the site or the network is down.
- `blocked by the site: HTTP 403 ...` (or 401, 451): the site refuses the crawler; the rules are not at fault.
  Check the site in a browser, its robots.txt, and the contact URL in our User-Agent.
- `got no usable response (HTTP 500 ...)`: the site answered only errors.
- `quality check failed: ... dropped to 0` or `... did the site's layout change?`: the pages came, the rules no
  longer find the articles, dates or text; fix `sites/KEY.yaml` and rerun the site's day.
- `plan failed: no sites were planned`: `check` and `report` had nothing to work on; see the `plan` task's log.
- The run failed with no failed task: it ran longer than {RUN_TIMEOUT.total_seconds() / 3600:g} hours
  (`dagrun_timeout`).

## How to rerun

- **One site of one run**: clear its `site.crawl` task with its downstream tasks; a crawl that had succeeded is
  skipped and its pages are extracted again.
- **One site, crawled anew**: trigger with `{{"day": "YYYY-MM-DD", "sites": ["KEY"], "recrawl": true}}`.
- **A whole day**: trigger with `{{"day": "YYYY-MM-DD"}}`; add `"reextract": true` after a rule fix.
- **Several days**: `airflow backfill create --dag-id ingot_daily --from-date A --to-date B`: the runs triggered
  between A and B, UTC (README, "Which news days a backfill covers").

## Where the logs are

- Each task's log: its Logs tab here.
- The crawler's own log (every attempt of the day): `INGOT_HOME/logs/crawl-KEY-DAY.log` on the machine that
  ran the crawl (the task's Details tab names it).
- The run's record per site and day: table `daily_site_run`; the checks: view `quality_checks`.

When `INGOT_ALERT_WEBHOOK` is set, a failed or timed-out run posts its failed-site lines there.
"""

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


def alert_on_failure(context) -> None:
    """Post the failed run's failed-site lines to INGOT_ALERT_WEBHOOK, when it is set."""
    from ingot.alerts import alert_failed_run, planned_in_database

    settings = task_settings()
    if not settings.alert_webhook:
        return
    ti, dag_run = context.get("ti"), context.get("dag_run")
    try:
        site_days = ti.xcom_pull(task_ids="plan") if ti is not None else None
    except Exception:  # no XCom access here (dag.test() runs callbacks outside any task): ask the news database
        site_days = planned_in_database(
            settings, requested_day=(context.get("params") or {}).get("day"),
            interval_start=(context.get("data_interval_start") or context.get("logical_date")
                            or getattr(dag_run, "run_after", None)),
            since=getattr(dag_run, "start_date", None))
    alert_failed_run(settings, run_id=context.get("run_id") or "?", reason=context.get("reason"),
                     site_days=site_days)


@dag(
    dag_id="ingot_daily",
    description=f"Crawl, extract, check and report one news day, {SCHEDULE_IN_WORDS}",
    schedule=CronTriggerTimetable(SCHEDULE, timezone=NEWS_TIMEZONE, interval=timedelta(days=1)),
    catchup=False,
    max_active_runs=2,
    dagrun_timeout=RUN_TIMEOUT,
    on_failure_callback=alert_on_failure,
    default_args=default_args,
    tags=["ingot", "news", "daily"],
    params={
        "day": Param(None, type=["null", "string"], format="date",
                     description="News day to cover (YYYY-MM-DD); empty: the day of the run's data interval"),
        "sites": Param([], type="array", items={"type": "string"}, **({"examples": SITE_KEYS} if SITE_KEYS else {}),
                       title="Sites", description="Sites to run; none picked: every enabled site"),
        "recrawl": Param(False, type="boolean", description="Crawl again even when the day's crawl succeeded"),
        "reextract": Param(False, type="boolean", description="Re-extract every stored page of the day"),
        "retry_failed_tasks": Param(True, type="boolean",
                                    description="Retry failed crawls and extractions with backoff"),
        "crawl_timeout_minutes": Param(45, type="number", minimum=1,
                                       description="Stop a site's crawl after this long"),
        "scrapy_settings": Param({}, type="object",
                                 description="Scrapy settings overriding the crawler's, e.g. {\"RETRY_TIMES\": 1}"),
    },
    doc_md=RUNBOOK,
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
        @task(pool=CRAWL_POOL, execution_timeout=CRAWL_TIMEOUT, map_index_template=SITE_LABEL)
        def crawl(site_key: str, day: str) -> dict:
            from datetime import date

            params = get_current_context()["params"]
            return call_daily("crawl_one_site", site_key, date.fromisoformat(day), recrawl=params["recrawl"],
                              timeout_minutes=params["crawl_timeout_minutes"],
                              scrapy_settings=params["scrapy_settings"])

        @task(trigger_rule=TriggerRule.ALL_DONE, map_index_template=SITE_LABEL)
        def extract(site_key: str, day: str) -> dict:
            from datetime import date

            reextract = get_current_context()["params"]["reextract"]
            return call_daily("extract_one_site", site_key, date.fromisoformat(day), reextract=reextract)

        # by keyword: the tasks' labels (SITE_LABEL) read their op_kwargs
        crawl(site_key=site_key, day=day) >> extract(site_key=site_key, day=day)

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
