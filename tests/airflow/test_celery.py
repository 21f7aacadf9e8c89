"""The Celery set-up, end to end and without Docker: Redis from Debian, `ingot airflow control` on the embedded
PostgreSQL as Airflow's metadata database, two `ingot airflow worker`s on loopback, one DAG run over fixture sites.

Both workers take tasks; the rows the run stores equal those of the session's dag.test() run of the same sites;
SIGTERM stops every command with nothing left running. The run is kept small (four sites) to stay cheap on a
two-core machine; the sites are independent, so dag.test()'s rows of those sites are the reference.
"""

from __future__ import annotations

import os
import re
import uuid

import psycopg
import pytest
from psycopg import sql

from ingot.airflow_deploy import SECRET_VARIABLES, Secrets, with_database
from ingot.airflow_env import run_conf
from ingot.airflow_processes import descendants
from ingot.airflow_services import api_answers
from ingot.paths import SITES_DIR
from tests.airflow.cluster import Cluster, free_port, listening, metadata_query, trigger
from tests.airflow.dag_runs import DAY, fixture_sites, natural_rows

CELERY_SITES = fixture_sites()[:4]
RUN_ID = "celery_end_to_end"
WORKERS = ("a", "b")
EXECUTED = re.compile(r"Executing workload in Celery: .*?task_id='([\w.]+)'")


@pytest.fixture(scope="module")
def celery_run(tmp_path_factory, pg_server_url, migrated_db_url, fixture_web_server, daily_runs):
    from tests.conftest import truncate_all

    expected = {table: [row for row in rows if row[0] in CELERY_SITES] for table, rows in daily_runs["rows"].items()}
    truncate_all(migrated_db_url)
    root = tmp_path_factory.mktemp("celery")
    home = root / "home"
    metadata_db = f"airflow_celery_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(metadata_db)))
    metadata_url = with_database(pg_server_url, metadata_db)
    api_url = f"http://127.0.0.1:{free_port()}"
    secrets = Secrets.generate()
    env = {name: value for name, value in os.environ.items() if not name.startswith(("INGOT_", "AIRFLOW"))}
    env.update({"INGOT_HOME": str(home), "INGOT_DATABASE_URL": migrated_db_url, "INGOT_SITES_DIR": str(SITES_DIR),
                "INGOT_FIXTURE_WEB": fixture_web_server.address, "INGOT_AIRFLOW_DATABASE_URL": metadata_url,
                "INGOT_AIRFLOW_API_URL": api_url,
                **{name: getattr(secrets, field) for field, name in SECRET_VARIABLES.items()}})
    cluster = Cluster(root, env)
    try:
        env["INGOT_CELERY_BROKER_URL"] = cluster.start_redis()
        control_home = home / "airflow-control"
        cluster.start_ingot("control", "control", "--host", "127.0.0.1", "--port", api_url.rsplit(":", 1)[1],
                            "--crawl-slots", "4", "--parallelism", "4", "--api-workers", "1")
        cluster.wait_for("the control host's API", lambda: api_answers(api_url + "/api/v2/monitor/health"),
                         ["control"], logs=[control_home / "logs" / "api-server.log"])
        worker_logs = {}
        for name in WORKERS:
            worker_logs[name] = home / f"airflow-worker-{name}" / "logs" / "celery-worker.log"
            cluster.start_ingot(f"worker-{name}", "worker", "--name", name, "--concurrency", "1",
                                "--log-server-port", str(free_port()))
        for name, log in worker_logs.items():
            cluster.wait_for(f"worker {name} to be ready", lambda log=log: log.is_file() and " ready." in
                             log.read_text(errors="replace"), [f"worker-{name}"], logs=[log])
        cluster.wait_for("the DAG to be parsed", lambda: bool(metadata_query(
            metadata_url, "SELECT 1 FROM serialized_dag WHERE dag_id = 'ingot_daily'")), ["control"],
            logs=[control_home / "logs" / "dag-processor.log"])
        cli_env = {**env, "AIRFLOW_HOME": str(control_home), "AIRFLOW_CONFIG": str(control_home / "airflow.cfg")}
        trigger(cli_env, RUN_ID, run_conf(DAY, CELERY_SITES, crawl_timeout_minutes=2))
        cluster.wait_for(f"run {RUN_ID} to finish", lambda: metadata_query(
            metadata_url, "SELECT state FROM dag_run WHERE run_id = %s", (RUN_ID,)) in ([("success",)], [("failed",)]),
            ["control", *(f"worker-{name}" for name in WORKERS)], timeout=1500,
            logs=[control_home / "logs" / "scheduler.log", *worker_logs.values()])
        [(state,)] = metadata_query(metadata_url, "SELECT state FROM dag_run WHERE run_id = %s", (RUN_ID,))
        tasks = metadata_query(metadata_url, "SELECT task_id, map_index, state, rendered_map_index FROM task_instance "
                               "WHERE run_id = %s ORDER BY 1, 2", (RUN_ID,))
        executed = {name: EXECUTED.findall(log.read_text(errors="replace")) for name, log in worker_logs.items()}
        rows = natural_rows(migrated_db_url, CELERY_SITES)
        control = next(c for c in cluster.components.started if c.name == "control")
        control_listens = listening([control.process.pid, *descendants(control.process.pid)])
        stopped = cluster.stop()
        yield {"state": state, "tasks": tasks, "executed": executed, "rows": rows, "expected": expected,
               "stopped": stopped, "logs": cluster.tails(), "control_listens": control_listens,
               "api_port": int(api_url.rsplit(":", 1)[1])}
    finally:
        cluster.kill_everything()
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(metadata_db)))
        truncate_all(migrated_db_url)


def test_the_run_succeeds_with_both_workers_taking_tasks(celery_run):
    assert celery_run["state"] == "success", celery_run["tasks"]
    executed = celery_run["executed"]
    assert all(executed[name] for name in WORKERS), executed
    # every task instance ran once, on one worker or the other
    assert sorted(sum(executed.values(), [])) == sorted(task_id for task_id, *_ in celery_run["tasks"])


def test_the_stored_rows_equal_those_of_a_dag_test_run(celery_run):
    for table, expected in celery_run["expected"].items():
        assert expected, f"the dag.test() run stored no {table} rows for {CELERY_SITES}"
        assert celery_run["rows"][table] == expected, table


def test_mapped_tasks_are_labelled_by_site(celery_run):
    labels = {(task_id, label) for task_id, map_index, _, label in celery_run["tasks"] if map_index >= 0}
    assert labels == {(task_id, site) for task_id in ("site.crawl", "site.extract") for site in CELERY_SITES}


def test_the_control_host_listens_on_its_api_address_only(celery_run):
    # no log server on the control host: its API server reads local logs, and the workers serve theirs
    assert celery_run["control_listens"] == {("127.0.0.1", celery_run["api_port"])}


def test_sigterm_stops_every_command_and_leaves_no_process(celery_run):
    stopped = celery_run["stopped"]
    assert stopped["exit_codes"] == {"redis": 0, "control": 0, "worker-a": 0, "worker-b": 0}, celery_run["logs"]
    assert stopped["left_behind"] == []
    assert len(stopped["groups"]) > 4, "the commands' components ran in groups of their own"
