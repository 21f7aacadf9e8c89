"""Running the daily DAG with ``airflow dags test`` (``dag.test()``) in a subprocess, and reading what it stored.

Shared by the end-to-end tests of the DAG and of the Celery set-up, which compares its rows with dag.test()'s.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from contextlib import closing
from datetime import date
from pathlib import Path

import psycopg

from ingot.airflow_env import airflow_environment, prepare_airflow, run_conf, run_daily_dag
from ingot.commands.demo import fixture_news_day
from ingot.daily import load_site_days, render_report
from ingot.fixture_web import FixtureWeb
from ingot.paths import PROJECT_ROOT, SITES_DIR
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

    def __init__(self, home: Path, db_url: str, web: FixtureWeb, sites_dir: Path = SITES_DIR,
                 alert_webhook: str | None = None):
        self.settings = Settings.from_env({"INGOT_HOME": str(home), "INGOT_DATABASE_URL": db_url,
                                           "INGOT_SITES_DIR": str(sites_dir), "INGOT_FIXTURE_WEB": web.address})
        self.env = airflow_environment(self.settings)
        self.env.update({"INGOT_HOME": str(home), "INGOT_DATABASE_URL": db_url, "INGOT_SITES_DIR": str(sites_dir),
                         "INGOT_FIXTURE_WEB": web.address})
        self.env.pop("INGOT_ALERT_WEBHOOK", None)
        if alert_webhook:
            self.env["INGOT_ALERT_WEBHOOK"] = alert_webhook
        self.db_url = db_url
        prepare_airflow(self.settings, self.env)

    def run(self, day: date, sites: list[str], **params) -> tuple[int, str]:
        log_path = self.settings.airflow_home / "logs" / f"test-run-{day}-{uuid.uuid4().hex[:8]}.log"
        conf = run_conf(day, sites, crawl_timeout_minutes=2) | params
        returncode = run_daily_dag(self.env, conf, log_path)
        return returncode, log_path.read_text(encoding="utf-8", errors="replace")

    def report(self, day: date, sites: list[str]) -> str:
        return render_report(day, load_site_days(self.db_url, sites, day))

    def labels(self) -> dict[str, list[str]]:
        """What the UI shows for each mapped task of the last run (its rendered map_index_template), by task."""
        with closing(sqlite3.connect(self.settings.airflow_home / "airflow.db")) as metadata:
            [run_id] = metadata.execute("SELECT run_id FROM dag_run ORDER BY id DESC LIMIT 1").fetchone()
            rows = metadata.execute("SELECT task_id, rendered_map_index FROM task_instance "
                                    "WHERE run_id = ? AND map_index >= 0 ORDER BY 1, 2", (run_id,)).fetchall()
        labels: dict[str, list[str]] = {}
        for task_id, label in rows:
            labels.setdefault(task_id, []).append(label)
        return labels


def snapshot(db_url: str) -> dict[str, list]:
    with psycopg.connect(db_url) as conn:
        return {name: conn.execute(query).fetchall() for name, query in STABLE_QUERIES.items()}


def articles_by_site(db_url: str) -> dict[str, int]:
    with psycopg.connect(db_url) as conn:
        return dict(conn.execute("SELECT site_key, count(*) FROM article GROUP BY site_key").fetchall())


# What a run stored, by natural keys only: two runs of the same day over the same fixture web, however their tasks
# were spread over processes and machines, store these same rows (ids and timestamps aside).
NATURAL_QUERIES = {
    "crawl_run": "SELECT site_key, news_day, status FROM crawl_run WHERE site_key = ANY(%(sites)s) ORDER BY 1, 2",
    "raw_page": "SELECT site_key, url, http_status, body_sha256 FROM raw_page WHERE site_key = ANY(%(sites)s) "
                "ORDER BY 1, 2, 4",
    "article": "SELECT site_key, canonical_url, title, text, published_at, authors FROM article "
               "WHERE site_key = ANY(%(sites)s) ORDER BY 1, 2",
    "page_extraction": "SELECT rp.site_key, rp.url, pe.outcome, pe.reason, pe.detail, a.canonical_url "
                       "FROM page_extraction pe JOIN raw_page rp ON rp.id = pe.raw_page_id "
                       "LEFT JOIN article a ON a.id = pe.article_id WHERE rp.site_key = ANY(%(sites)s) ORDER BY 1, 2",
    "quality_check": "SELECT site_key, news_day, metric, value, baseline, status FROM quality_check "
                     "WHERE site_key = ANY(%(sites)s) ORDER BY 1, 2, 3",
    "daily_site_run": "SELECT site_key, news_day, crawl_status, extract_status FROM daily_site_run "
                      "WHERE site_key = ANY(%(sites)s) ORDER BY 1, 2",
}


def natural_rows(db_url: str, sites: Sequence[str]) -> dict[str, list]:
    with psycopg.connect(db_url) as conn:
        return {name: conn.execute(query, {"sites": list(sites)}).fetchall()
                for name, query in NATURAL_QUERIES.items()}
