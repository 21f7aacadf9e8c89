"""A project-local Airflow: its home under ``settings.airflow_home``, SQLite metadata, our dags/ folder.

``ingot run``, ``ingot demo`` and the end-to-end tests all start Airflow through ``airflow_environment`` so they
see the same configuration; it serves one ``dag.test()`` run at a time. The set-ups that run for days
(standalone, a control host, Celery workers) are ``ingot.airflow_deploy``'s, on PostgreSQL. Airflow reads its configuration when it is first
imported, so every Airflow step here runs as a subprocess with this environment; this module itself never
imports Airflow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from importlib import metadata
from pathlib import Path

from ingot.errors import IngotError
from ingot.paths import PROJECT_ROOT
from ingot.settings import Settings

DAG_ID = "ingot_daily"
DAGS_FOLDER = PROJECT_ROOT / "dags"
CRAWL_POOL = "ingot_crawl"
CRAWL_POOL_SLOTS = 4
API_HOST = "127.0.0.1"
API_PORT = 8080
# An interactive run waits for its crawls: one retry, short backoff. Politeness (delays, robots.txt) is unchanged.
INTERACTIVE_SCRAPY_SETTINGS = {"RETRY_TIMES": 1, "RETRY_BACKOFF_MAX": 4, "DOWNLOAD_TIMEOUT": 20}


class AirflowRunFailed(IngotError):
    exit_code = 1


def airflow_environment(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) plus the settings of the project-local Airflow."""
    home = settings.airflow_home
    env = dict(os.environ if base is None else base)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        # Small machines: a handful of task processes at once is plenty for one daily DAG.
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__API__HOST": API_HOST,
        "AIRFLOW__API__PORT": str(API_PORT),
        "AIRFLOW__API__BASE_URL": f"http://{API_HOST}:{API_PORT}",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": env.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO"),
        # Task processes find ingot even when Airflow is started from elsewhere.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
    })
    return env


def airflow_command(*args: str) -> list[str]:
    """The ``airflow`` CLI of this interpreter's environment."""
    return [sys.executable, "-m", "airflow", *args]


def prepare_airflow(settings: Settings, env: Mapping[str, str]) -> None:
    """Create or migrate the SQLite metadata database and the crawl pool.

    Each ``airflow`` command costs seconds of start-up, so a marker naming the Airflow version and the pool size
    skips both when they are already done for this home.
    """
    home = settings.airflow_home
    marker = home / "ingot-prepared"
    wanted = f"apache-airflow {metadata.version('apache-airflow')}, pool {CRAWL_POOL}={CRAWL_POOL_SLOTS}"
    if marker.is_file() and marker.read_text(encoding="utf-8") == wanted and (home / "airflow.db").is_file():
        return
    home.mkdir(parents=True, exist_ok=True)
    run_airflow(env, "db", "migrate")
    run_airflow(env, "pools", "set", CRAWL_POOL, str(CRAWL_POOL_SLOTS), "crawls of ingot news sites at once")
    marker.write_text(wanted, encoding="utf-8")


def run_conf(day: date, sites: Sequence[str] | None = None, *, recrawl: bool = True,
             crawl_timeout_minutes: float = 10) -> dict:
    """The run configuration (DAG params) of one interactive run: no retries, bounded crawls."""
    conf: dict = {"day": day.isoformat(), "retry_failed_tasks": False, "recrawl": recrawl,
                  "crawl_timeout_minutes": crawl_timeout_minutes, "scrapy_settings": INTERACTIVE_SCRAPY_SETTINGS}
    if sites:
        conf["sites"] = list(sites)
    return conf


def test_dag_command(conf: Mapping) -> list[str]:
    return airflow_command("dags", "test", DAG_ID, "--conf", json.dumps(conf))


def run_daily_dag(env: Mapping[str, str], conf: Mapping, log_path: Path) -> int:
    """Run the daily DAG once with ``airflow dags test`` (``dag.test()``), its output in ``log_path``.

    Returns the exit code: 0 when every task succeeded, non-zero when the run failed (some site failed).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log:
        return subprocess.run(test_dag_command(conf), env=dict(env), stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL).returncode


def run_airflow(env: Mapping[str, str], *args: str) -> None:
    result = subprocess.run(airflow_command(*args), env=dict(env), capture_output=True, text=True,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        lines = [line for line in (result.stderr or result.stdout).strip().splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit code {result.returncode}"
        raise AirflowRunFailed(f"`airflow {' '.join(args)}` failed: {reason}")
