"""Starting a deployment's Airflow components: the metadata database first, the API server next, then the rest.

The scheduler, DAG processor and triggerer start only once the API server answers its health check, so the first
task of a fresh start never meets an execution API that is not up yet (docker-compose does the same with
``depends_on: service_healthy``). Every component writes its output to ``AIRFLOW_HOME/logs/COMPONENT.log``.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from importlib import metadata

from ingot.airflow_deploy import Deployment, metadata_marker
from ingot.airflow_env import CRAWL_POOL, AirflowRunFailed, airflow_command, run_airflow
from ingot.airflow_processes import Components

API_START_TIMEOUT_SECONDS = 300


def prepare_metadata(deployment: Deployment, env: Mapping[str, str], pool_slots: int) -> None:
    """Migrate the metadata database and set the crawl pool, unless this home already did for this database."""
    marker = deployment.home / "ingot-prepared"
    wanted = metadata_marker(deployment, metadata.version("apache-airflow"), pool_slots)
    if marker.is_file() and marker.read_text(encoding="utf-8") == wanted:
        return
    print("migrating the Airflow metadata database ...", flush=True)
    run_airflow(env, "db", "migrate")
    run_airflow(env, "pools", "set", CRAWL_POOL, str(pool_slots), "crawls of ingot news sites at once")
    marker.write_text(wanted, encoding="utf-8")


def start_central_components(components: Components, deployment: Deployment, *, api_workers: int = 1) -> None:
    """API server (waited for), then scheduler, DAG processor and triggerer: standalone or a control host.

    None of them serves logs: the API server reads the logs of the tasks run on this machine from its own
    folder, and Celery workers serve theirs.
    """
    logs = deployment.home / "logs"
    api = components.start("api-server", airflow_command(
        "api-server", "--host", deployment.api_host, "--port", str(deployment.api_port),
        "--workers", str(api_workers)), logs / "api-server.log")
    wait_for_api(deployment.api_url, components, api.name)
    components.start("scheduler", airflow_command("scheduler", "--skip-serve-logs"), logs / "scheduler.log")
    components.start("dag-processor", airflow_command("dag-processor"), logs / "dag-processor.log")
    components.start("triggerer", airflow_command("triggerer", "--skip-serve-logs"), logs / "triggerer.log")


def wait_for_api(api_url: str, components: Components, name: str,
                 timeout: float = API_START_TIMEOUT_SECONDS) -> None:
    """Wait until the API server's health check answers; fail when it exits or the wait exceeds ``timeout``."""
    health = api_url.rstrip("/") + "/api/v2/monitor/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if components.exited() is not None:
            component = components.exited()
            raise AirflowRunFailed(f"{component.name} exited with code {component.process.returncode} while "
                                   f"starting; see {component.log_path}")
        if api_answers(health):
            return
        time.sleep(1)
    raise AirflowRunFailed(f"the {name} did not answer {health} within {timeout:g} s")


def api_answers(health_url: str) -> bool:
    try:
        with urllib.request.urlopen(health_url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False

