"""``ingot airflow``: Airflow for days on end, on one machine or spread over several.

- ``standalone``: every component on this machine (LocalExecutor), the embedded PostgreSQL as the metadata
  database, the UI on 127.0.0.1; ``--fixture-web`` serves the bundled fixture sites for a demo.
- ``control`` and ``worker``: the CeleryExecutor without Docker. The control host runs the API server,
  scheduler, DAG processor and triggerer; each worker host runs ``airflow celery worker``. Both take the shared
  settings from the environment (``INGOT_AIRFLOW_DATABASE_URL``, ``INGOT_CELERY_BROKER_URL``,
  ``INGOT_AIRFLOW_API_URL``, the three secrets, the news database) and refuse to start without them.
- ``env``: the project-local SQLite home of ``ingot run`` as shell exports, for ``.venv/bin/airflow``.
- ``secrets``: new values for the shared secrets, as shell exports.

Each writes a complete ``airflow.cfg`` into its own home under ``INGOT_HOME`` and stops every process it
started on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import sys
from pathlib import Path

from ingot.airflow_deploy import (API_URL_VARIABLE, BROKER_URL_VARIABLE, METADATA_URL_VARIABLE,
                                  NEWS_CONNECTION_VARIABLE, SECRET_VARIABLES, Deployment, Secrets,
                                  airflow_options, component_environment, kept_secrets, news_database_url, required,
                                  shared_secrets, with_database, write_airflow_cfg)
from ingot.airflow_env import API_HOST, API_PORT, CRAWL_POOL_SLOTS, airflow_command, airflow_environment
from ingot.airflow_processes import Components
from ingot.airflow_services import prepare_metadata, start_central_components
from ingot.database import connect, describe_url, ensure_database, resolve_database_url, start_embedded_server
from ingot.errors import ConfigurationError
from ingot.migrations import upgrade
from ingot.paths import MIGRATIONS_DIR
from ingot.settings import Settings

EXPORTED_PREFIXES = ("AIRFLOW_HOME", "AIRFLOW__", "INGOT_", "PYTHONPATH", "PATH")
METADATA_DATABASE = "airflow"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "airflow",
        help="run Airflow with the daily DAG: standalone, or a control host and Celery workers",
        description="Airflow for the ingot_daily DAG: standalone on this machine, or spread over a control host "
        "and Celery workers. Each writes a complete airflow.cfg under INGOT_HOME and stops every process it "
        "started on SIGTERM or Ctrl-C.",
    )
    actions = parser.add_subparsers(dest="airflow_command", metavar="ACTION", required=True)

    standalone = actions.add_parser(
        "standalone",
        help="every component on this machine, UI on 127.0.0.1; the daily DAG runs on its schedule",
        description="Migrate the news database, then run the API server (UI), scheduler, DAG processor and "
        "triggerer on this machine with the LocalExecutor and the embedded PostgreSQL as Airflow's metadata "
        "database, bound to 127.0.0.1. Stop it with Ctrl-C or SIGTERM.",
    )
    standalone.add_argument("--port", type=int, default=API_PORT, help="port of the UI and API (default: %(default)s)")
    standalone.add_argument("--fixture-web", action="store_true",
                            help="serve the bundled fixture sites on 127.0.0.1 and crawl them instead of the web, "
                            "into the separate ingot_demo database (a demo; trigger a run with the fixtures' day)")
    standalone.set_defaults(handler=run_standalone)

    control = actions.add_parser(
        "control",
        help="the control host of a Celery set-up: API server, scheduler, DAG processor, triggerer",
        description=f"Run the API server, scheduler, DAG processor and triggerer with the CeleryExecutor. Needs "
        f"{METADATA_URL_VARIABLE}, {BROKER_URL_VARIABLE}, {', '.join(SECRET_VARIABLES.values())} and the news "
        f"database (INGOT_DATABASE_URL); {API_URL_VARIABLE} defaults to http://THIS-HOST:PORT. Migrates both "
        "databases and creates the crawl pool.",
    )
    control.add_argument("--host", default="0.0.0.0",
                         help="address the API server listens on; workers must reach it (default: %(default)s)")
    control.add_argument("--port", type=int, default=API_PORT, help="port of the UI and API (default: %(default)s)")
    control.add_argument("--crawl-slots", type=int, default=CRAWL_POOL_SLOTS,
                         help="crawls at once over all workers: the ingot_crawl pool (default: %(default)s)")
    control.add_argument("--parallelism", type=int, default=8,
                         help="task instances running at once over all workers (default: %(default)s)")
    control.add_argument("--api-workers", type=int, default=2,
                         help="processes of the API server (default: %(default)s)")
    control.set_defaults(handler=run_control)

    worker = actions.add_parser(
        "worker",
        help="a Celery worker host: runs the tasks the control host queues",
        description=f"Run `airflow celery worker`. Needs the news database (INGOT_DATABASE_URL, or the ingot_news "
        f"connection as {NEWS_CONNECTION_VARIABLE}), {METADATA_URL_VARIABLE} (Celery's result backend), "
        f"{BROKER_URL_VARIABLE}, {API_URL_VARIABLE} and {', '.join(SECRET_VARIABLES.values())}: the values "
        "of the control host. Never starts a database of its own.",
    )
    worker.add_argument("--concurrency", type=int, default=4, help="tasks at once on this worker (default: %(default)s)")
    worker.add_argument("--name", default=None,
                        help="worker name, when several run on one machine (each gets its own home)")
    worker.add_argument("--log-server-port", type=int, default=None,
                        help="port on which this worker serves its task logs to the UI (default: 8793)")
    worker.set_defaults(handler=run_worker)

    env = actions.add_parser(
        "env",
        help="print the project-local Airflow configuration of `ingot run` as shell exports",
        description='Print `export NAME=VALUE` lines; `eval "$(.venv/bin/ingot airflow env)"` lets '
        ".venv/bin/airflow use the project-local SQLite home of `ingot run` (for pools, `airflow dags test`). "
        "The homes of standalone, control and worker each hold their airflow.cfg: `AIRFLOW_HOME=THAT-HOME "
        ".venv/bin/airflow ...` uses them.",
    )
    env.set_defaults(handler=run_env)

    secrets = actions.add_parser(
        "secrets",
        help="print new shared secrets for a control host and its workers, as shell exports",
        description="Print export lines for " + ", ".join(SECRET_VARIABLES.values()) + ": put the same values "
        "in the environment of the control host and of every worker.",
    )
    secrets.set_defaults(handler=run_secrets)


# --- standalone ---------------------------------------------------------------------------------------------------

def run_standalone(args, settings: Settings) -> int:
    from ingot.commands.demo import demo_database_url, fixture_news_day
    from ingot.fixture_web import FixtureWeb
    from ingot.paths import FIXTURE_WEB_DIR

    if args.fixture_web:
        with FixtureWeb(FIXTURE_WEB_DIR) as web:
            print(f"serving the fixture sites of {FIXTURE_WEB_DIR} on {web.address}; news go to the ingot_demo "
                  "database", flush=True)
            day = fixture_news_day()
            return standalone(args, settings, demo_database_url(settings), fixture_web=web.address,
                              hint=f"trigger ingot_daily with {json.dumps({'day': day.isoformat()})}: the "
                              "fixture pages are that day's news" if day else None)
    return standalone(args, settings, resolve_database_url(settings))


def standalone(args, settings: Settings, news_url: str, *, fixture_web: str | None = None,
               hint: str | None = None) -> int:
    migrate_news_database(news_url)
    embedded = start_embedded_server(settings.embedded_data_dir)
    ensure_database(embedded, METADATA_DATABASE)
    deployment = standalone_deployment(settings, embedded, args.port)
    home, api_url = deployment.home, deployment.api_url
    env = deployment_environment(deployment, settings, news_url)
    if fixture_web:
        env["INGOT_FIXTURE_WEB"] = fixture_web
    with Components(env) as components:
        prepare_metadata(deployment, env, CRAWL_POOL_SLOTS)
        start_central_components(components, deployment)
        print(f"Airflow UI: {api_url} (logs of each component in {home / 'logs'})", flush=True)
        print(login_line(home), flush=True)
        if hint:
            print(hint, flush=True)
        print(f"Airflow CLI for this home: AIRFLOW_HOME={home} {Path(sys.executable).parent / 'airflow'} ...",
              flush=True)
        return components.run()


def standalone_deployment(settings: Settings, embedded_url: str, port: int) -> Deployment:
    """One machine: LocalExecutor, the embedded server's ``airflow`` database, everything on 127.0.0.1."""
    home = settings.home / "airflow-standalone"
    return Deployment(home=home, executor="LocalExecutor", metadata_url=with_database(embedded_url, METADATA_DATABASE),
                      api_host=API_HOST, api_port=port, api_url=f"http://{API_HOST}:{port}",
                      secrets=kept_secrets(home))


def login_line(home: Path) -> str:
    """How to log in: the admin user and the password the API server generated for it."""
    path = home / PASSWORDS_FILE
    try:
        password = json.loads(path.read_text(encoding="utf-8")).get("admin")
    except (OSError, ValueError):
        password = None
    shown = f"password {password}" if password else "password"
    return f"log in as admin, {shown} (kept in {path})"


# --- control and worker -------------------------------------------------------------------------------------------

def run_control(args, settings: Settings) -> int:
    environ = os.environ
    news_url = news_database_url(environ)
    if not news_url:
        raise ConfigurationError(
            "set INGOT_DATABASE_URL to the news database (a PostgreSQL server every worker reaches); the control "
            "host never uses the embedded database, which only this machine could reach")
    api_url = environ.get(API_URL_VARIABLE) or f"http://{socket.getfqdn()}:{args.port}"
    deployment = Deployment(
        home=settings.home / "airflow-control", executor="CeleryExecutor",
        metadata_url=required(environ, METADATA_URL_VARIABLE, "the Airflow metadata database (PostgreSQL)"),
        api_host=args.host, api_port=args.port, api_url=api_url, secrets=shared_secrets(environ),
        broker_url=required(environ, BROKER_URL_VARIABLE, "the Celery broker, e.g. redis://:PASSWORD@HOST:6379/0"),
        parallelism=args.parallelism)
    migrate_news_database(news_url)
    env = deployment_environment(deployment, settings, news_url)
    with Components(env) as components:
        prepare_metadata(deployment, env, args.crawl_slots)
        start_central_components(components, deployment, api_workers=args.api_workers)
        print(f"control host up: UI and API on {api_url} (workers need {API_URL_VARIABLE}={api_url}); logs in "
              f"{deployment.home / 'logs'}", flush=True)
        print(login_line(deployment.home), flush=True)
        return components.run()


def run_worker(args, settings: Settings) -> int:
    environ = os.environ
    news_url = news_database_url(environ)
    if not news_url:
        raise ConfigurationError(
            f"set INGOT_DATABASE_URL (or the ingot_news connection, {NEWS_CONNECTION_VARIABLE}) to the news "
            "database of the control host; a worker never starts a database of its own")
    check_news_schema(news_url)
    home = settings.home / (f"airflow-worker-{args.name}" if args.name else "airflow-worker")
    deployment = Deployment(
        home=home, executor="CeleryExecutor",
        metadata_url=required(environ, METADATA_URL_VARIABLE,
                              "the control host's Airflow metadata database (Celery keeps task results there)"),
        api_host=API_HOST, api_port=API_PORT,
        api_url=required(environ, API_URL_VARIABLE, "the control host's API, e.g. http://CONTROL-HOST:8080"),
        secrets=shared_secrets(environ),
        broker_url=required(environ, BROKER_URL_VARIABLE, "the control host's Celery broker"),
        worker_concurrency=args.concurrency,
        **({"worker_log_server_port": args.log_server_port} if args.log_server_port else {}))
    env = deployment_environment(deployment, settings, environ.get("INGOT_DATABASE_URL"))
    command = ["celery", "worker", "--concurrency", str(args.concurrency)]
    if args.name:
        command += ["--celery-hostname", f"{args.name}@%h"]
    with Components(env) as components:
        worker = components.start("celery-worker", airflow_command(*command), home / "logs" / "celery-worker.log")
        print(f"worker {args.name or socket.getfqdn()} started: tasks from {deployment.api_url}, log in "
              f"{worker.log_path}", flush=True)
        return components.run()


def check_news_schema(news_url: str) -> None:
    """The news database answers and has its schema: the control host migrates it, a worker only uses it."""
    with connect(news_url) as conn:
        ready = conn.execute("SELECT to_regclass('site') IS NOT NULL").fetchone()[0]
    if not ready:
        raise ConfigurationError(f"the news database at {describe_url(news_url)} has no schema: start the control "
                                 "host first (it runs the migrations) or run `ingot db upgrade` against it")


# --- shared -------------------------------------------------------------------------------------------------------

def migrate_news_database(news_url: str) -> None:
    with connect(news_url) as conn:
        for migration in upgrade(conn, MIGRATIONS_DIR):
            print(f"applied migration {migration.version:04d}.{migration.name}", flush=True)


def deployment_environment(deployment: Deployment, settings: Settings, news_url: str | None) -> dict[str, str]:
    """Write the deployment's airflow.cfg; the environment of its components (ingot's settings included)."""
    write_airflow_cfg(deployment.home, airflow_options(deployment))
    env = component_environment(deployment)
    # The components start `airflow ...` subprocesses from PATH: this environment's must come first.
    bin_dir = str(Path(sys.executable).parent)
    env.update({"INGOT_HOME": str(settings.home), "INGOT_SITES_DIR": str(settings.sites_dir),
                "PATH": os.pathsep.join(filter(None, [bin_dir, env.get("PATH")]))})
    if news_url:
        env["INGOT_DATABASE_URL"] = news_url
    return env


def run_env(args, settings: Settings) -> int:
    env = airflow_environment(settings)
    bin_dir = str(Path(sys.executable).parent)
    env.update({"INGOT_DATABASE_URL": resolve_database_url(settings), "INGOT_HOME": str(settings.home),
                "INGOT_SITES_DIR": str(settings.sites_dir),
                "PATH": os.pathsep.join(filter(None, [bin_dir, env.get("PATH")]))})
    for name in sorted(env):
        if name.startswith(EXPORTED_PREFIXES) and os.environ.get(name) != env[name]:
            print(f"export {name}={shlex.quote(env[name])}")
    return 0


def run_secrets(args, settings: Settings) -> int:
    generated = Secrets.generate()
    for field, name in SECRET_VARIABLES.items():
        print(f"export {name}={shlex.quote(getattr(generated, field))}")
    return 0
