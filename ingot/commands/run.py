"""``ingot run``: run the daily DAG once, now, on this machine, and print what each site gave.

It is the same DAG the scheduler runs, executed once by ``airflow dags test`` (``dag.test()``) in a project-local
Airflow home (SQLite metadata), against the configured news database (the embedded one by default). Retries are
off and crawls are time-boxed, so an interactive run ends in minutes even when sites are unreachable.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ingot.airflow_env import AirflowRunFailed, airflow_environment, prepare_airflow, run_conf, test_dag_command
from ingot.daily import load_planned_sites, load_site_days, render_report
from ingot.database import connect, resolve_database_url
from ingot.errors import UnknownSite
from ingot.migrations import upgrade
from ingot.paths import MIGRATIONS_DIR
from ingot.settings import Settings
from ingot.sites import load_sites

POLL_SECONDS = 2
QUERY_HINT = ('select site, published_at, title from news.articles '
              'order by published_at desc nulls last limit 20')


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the daily pipeline once, now",
        description="Run the daily Airflow DAG (plan, crawl and extract each site, quality checks, report) once "
        "for a news day, on this machine, then print per site what was found, new, rejected and failed.",
    )
    add_run_arguments(parser)
    parser.set_defaults(handler=run_run)


def add_run_arguments(parser) -> None:
    parser.add_argument("--day", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="news day to cover (default: today in INGOT_NEWS_TIMEZONE)")
    parser.add_argument("--site", action="append", dest="sites", metavar="KEY",
                        help="run only this site (repeatable; default: every enabled site)")
    parser.add_argument("--crawl-timeout", type=float, default=10, metavar="MINUTES",
                        help="stop a site's crawl after this long (default: %(default)s)")


def run_run(args, settings: Settings) -> int:
    require_sites(settings, args.sites)  # before the database and Airflow start
    db_url = resolve_database_url(settings)
    return run_pipeline_once(settings, db_url, args, psql_command='psql "$(.venv/bin/ingot db url)"')


def require_sites(settings: Settings, keys) -> None:
    """Raise ``UnknownSite`` for the first of ``keys`` that no rule file defines."""
    configured = load_sites(settings.sites_dir)
    for key in keys or ():
        if key not in configured:
            raise UnknownSite(key, settings.sites_dir)


def today_in(timezone: str) -> date:
    """The interactive run's default news day: the operator's "today", in the news time zone."""
    return datetime.now(ZoneInfo(timezone)).date()


def run_pipeline_once(settings: Settings, db_url: str, args, *, psql_command: str,
                      extra_env: Mapping[str, str] | None = None) -> int:
    """Migrate the news database, run the DAG once for ``args.day``, print progress, the report and a query."""
    with connect(db_url) as conn:
        for migration in upgrade(conn, MIGRATIONS_DIR):
            print(f"applied migration {migration.version:04d}.{migration.name}")
    env = airflow_environment(settings)
    env.update({"INGOT_DATABASE_URL": db_url, "INGOT_HOME": str(settings.home),
                "INGOT_SITES_DIR": str(settings.sites_dir), **(extra_env or {})})
    print(f"preparing Airflow in {settings.airflow_home} ...", flush=True)
    prepare_airflow(settings, env)

    day = args.day or today_in(settings.news_timezone)
    conf = run_conf(day, args.sites, crawl_timeout_minutes=args.crawl_timeout)
    log_path = settings.airflow_home / "logs" / f"ingot-run-{day}-{int(time.time())}.log"
    print(f"running the ingot_daily DAG for news day {day} (Airflow output: {log_path})", flush=True)
    started = database_now(db_url)  # the database's clock, which stamps what the run writes
    returncode = run_with_progress(env, conf, log_path, db_url, day, started)

    site_keys = load_planned_sites(db_url, day, started)
    if not site_keys:
        raise AirflowRunFailed(f"the DAG run for {day} failed before planning its sites (exit code {returncode}); "
                               f"see {log_path}")
    site_days = load_site_days(db_url, site_keys, day)
    print()
    print(render_report(day, site_days))
    print()
    print("Query the articles:")
    print(f'  {psql_command} -c "{QUERY_HINT}"')
    return 0


def run_with_progress(env: Mapping[str, str], conf: Mapping, log_path: Path, db_url: str, day: date,
                      started: datetime) -> int:
    """Run the DAG, printing one line per site as its crawl and its extraction finish."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    seen: set[tuple] = set()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(test_dag_command(conf), env=dict(env), stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        while True:
            finished = process.poll() is not None
            for line in progress_lines(db_url, day, started, seen):
                print(line, flush=True)
            if finished:
                return process.returncode
            time.sleep(POLL_SECONDS)


def database_now(db_url: str) -> datetime:
    with connect(db_url) as conn:
        return conn.execute("SELECT now()").fetchone()[0]


PROGRESS = """
SELECT site_key, crawl_status, crawl_error, extract_status, extract_error,
       coalesce((extraction ->> 'articles_new')::int, 0)
FROM daily_site_run WHERE news_day = %s AND updated_at >= %s ORDER BY updated_at
"""


def progress_lines(db_url: str, day: date, started: datetime, seen: set[tuple]) -> list[str]:
    lines = []
    with connect(db_url) as conn:
        rows = conn.execute(PROGRESS, (day, started)).fetchall()
    for site, crawl_status, crawl_error, extract_status, extract_error, new in rows:
        if crawl_status and (site, "crawl") not in seen:
            seen.add((site, "crawl"))
            lines.append(f"  {site}: crawl {crawl_status}" + (f": {crawl_error}" if crawl_error else ""))
        if extract_status and (site, "extract") not in seen:
            seen.add((site, "extract"))
            detail = f"{new} new articles" if extract_status == "succeeded" else extract_error
            lines.append(f"  {site}: extraction {extract_status}: {detail}")
    return lines
