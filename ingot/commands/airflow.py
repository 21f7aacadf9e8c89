"""``ingot airflow``: the project-local Airflow, scheduled daily on this machine.

``ingot airflow standalone`` starts the scheduler, DAG processor, triggerer and UI (``airflow standalone``) on
127.0.0.1 with the project-local home, SQLite metadata and low parallelism; ``ingot airflow env`` prints the same
configuration as shell exports, so ``.venv/bin/airflow`` (backfills, pools, ``dags test``) sees it too.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from ingot.airflow_env import API_HOST, API_PORT, airflow_command, airflow_environment, prepare_airflow
from ingot.database import connect, resolve_database_url
from ingot.migrations import upgrade
from ingot.paths import MIGRATIONS_DIR
from ingot.settings import Settings

EXPORTED_PREFIXES = ("AIRFLOW_HOME", "AIRFLOW__", "INGOT_", "PYTHONPATH", "PATH")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "airflow",
        help="run the project-local Airflow (scheduler and UI on 127.0.0.1)",
        description="The project-local Airflow: home under INGOT_HOME/airflow, SQLite metadata, the DAGs of dags/.",
    )
    actions = parser.add_subparsers(dest="airflow_command", metavar="ACTION", required=True)
    standalone = actions.add_parser(
        "standalone",
        help="start scheduler, DAG processor, triggerer and UI; the daily DAG runs on its schedule",
        description=f"Migrate the news database, then run `airflow standalone` bound to {API_HOST}:{API_PORT} "
        "with the ingot_daily DAG unpaused. Stop it with Ctrl-C.",
    )
    standalone.set_defaults(handler=run_standalone)
    env = actions.add_parser(
        "env",
        help="print the project-local Airflow configuration as shell exports",
        description='Print `export NAME=VALUE` lines; `eval "$(.venv/bin/ingot airflow env)"` lets '
        ".venv/bin/airflow use the project-local home (for backfills, pools, `airflow dags test`).",
    )
    env.set_defaults(handler=run_env)


def standalone_environment(settings: Settings, db_url: str) -> dict[str, str]:
    env = airflow_environment(settings)
    # `airflow standalone` starts its components as `airflow ...` from PATH: ours must come first.
    bin_dir = str(Path(sys.executable).parent)
    env.update({"INGOT_DATABASE_URL": db_url, "INGOT_HOME": str(settings.home),
                "INGOT_SITES_DIR": str(settings.sites_dir),
                "PATH": os.pathsep.join(filter(None, [bin_dir, env.get("PATH")]))})
    return env


def run_standalone(args, settings: Settings) -> int:
    db_url = resolve_database_url(settings)
    with connect(db_url) as conn:
        for migration in upgrade(conn, MIGRATIONS_DIR):
            print(f"applied migration {migration.version:04d}.{migration.name}")
    env = standalone_environment(settings, db_url)
    prepare_airflow(settings, env)
    print(f"Airflow UI: http://{API_HOST}:{API_PORT} (user admin, password in "
          f"{settings.airflow_home / 'simple_auth_manager_passwords.json.generated'})", flush=True)
    command = airflow_command("standalone")
    os.execvpe(command[0], command, env)


def run_env(args, settings: Settings) -> int:
    env = standalone_environment(settings, resolve_database_url(settings))
    for name in sorted(env):
        if name.startswith(EXPORTED_PREFIXES) and os.environ.get(name) != env[name]:
            print(f"export {name}={shlex.quote(env[name])}")
    return 0
