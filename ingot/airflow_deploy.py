"""A complete Airflow configuration for long-running set-ups: standalone, a control host, Celery workers.

``ingot run`` and ``dag.test()`` use the throwaway SQLite home of ``ingot.airflow_env``; the set-ups here run
Airflow's components for days, on PostgreSQL, and are written to ``AIRFLOW_HOME/airflow.cfg`` (mode 0600: it
holds the shared secrets), so the operator's own ``airflow`` commands with that ``AIRFLOW_HOME`` see the same
configuration as the components. ``airflow_options`` is pure; reading and writing the file are the edges.

A set-up is one of:

- **standalone**: every component on this machine, LocalExecutor, the embedded PostgreSQL as metadata database,
  the UI and API on 127.0.0.1, no log server (the UI reads task logs from the local folder);
- **control**: api-server, scheduler, DAG processor and triggerer with the CeleryExecutor, the API listening where
  workers reach it;
- **worker**: ``airflow celery worker``, running the tasks the control host queues.
"""

from __future__ import annotations

import configparser
import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ingot.airflow_env import CRAWL_POOL, DAGS_FOLDER
from ingot.errors import ConfigurationError
from ingot.paths import PROJECT_ROOT

# The environment variables a control host and its workers share (the same values on every machine).
METADATA_URL_VARIABLE = "INGOT_AIRFLOW_DATABASE_URL"
BROKER_URL_VARIABLE = "INGOT_CELERY_BROKER_URL"
API_URL_VARIABLE = "INGOT_AIRFLOW_API_URL"
SECRET_VARIABLES = {
    "jwt_secret": "INGOT_AIRFLOW_JWT_SECRET",
    "secret_key": "INGOT_AIRFLOW_SECRET_KEY",
    "fernet_key": "INGOT_AIRFLOW_FERNET_KEY",
}
NEWS_CONNECTION_VARIABLE = "AIRFLOW_CONN_INGOT_NEWS"
WORKER_LOG_SERVER_PORT = 8793
TRIGGER_LOG_SERVER_PORT = 8794


@dataclass(frozen=True)
class Secrets:
    """Shared by every component: the execution API's token key, the UI's session key, the connections' key."""

    jwt_secret: str
    secret_key: str
    fernet_key: str

    @classmethod
    def generate(cls) -> Secrets:
        from cryptography.fernet import Fernet

        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(32), Fernet.generate_key().decode())


@dataclass(frozen=True)
class Deployment:
    """What one machine's Airflow needs to know; ``api_url`` is how every component reaches the API server."""

    home: Path
    executor: str  # LocalExecutor | CeleryExecutor
    metadata_url: str  # a PostgreSQL URL (libpq form); turned into SQLAlchemy's here
    api_host: str  # where this machine's API server listens (control, standalone)
    api_port: int
    api_url: str
    secrets: Secrets
    broker_url: str | None = None
    parallelism: int = 4
    worker_concurrency: int = 4
    worker_log_server_port: int = WORKER_LOG_SERVER_PORT
    trigger_log_server_port: int = TRIGGER_LOG_SERVER_PORT
    admin_users: str = "admin:admin"


def airflow_options(deployment: Deployment) -> dict[str, dict[str, str]]:
    """The airflow.cfg sections of a deployment."""
    d = deployment
    options = {
        "core": {
            "executor": d.executor,
            "dags_folder": str(DAGS_FOLDER),
            "load_examples": "False",
            "dags_are_paused_at_creation": "False",
            "parallelism": str(d.parallelism),
            "max_active_tasks_per_dag": str(d.parallelism),
            "execution_api_server_url": d.api_url.rstrip("/") + "/execution/",
            "fernet_key": d.secrets.fernet_key,
            "simple_auth_manager_users": d.admin_users,
        },
        "database": {
            "sql_alchemy_conn": sqlalchemy_url(d.metadata_url),
            "sql_alchemy_conn_async": sqlalchemy_url(d.metadata_url),
        },
        "api": {
            "host": d.api_host,
            "port": str(d.api_port),
            "base_url": d.api_url.rstrip("/"),
            "secret_key": d.secrets.secret_key,
        },
        "api_auth": {"jwt_secret": d.secrets.jwt_secret},
        "logging": {
            "base_log_folder": str(d.home / "logs"),
            "worker_log_server_port": str(d.worker_log_server_port),
            "trigger_log_server_port": str(d.trigger_log_server_port),
        },
    }
    if d.executor == "CeleryExecutor":
        if not d.broker_url:
            raise ConfigurationError(f"the CeleryExecutor needs a broker: set {BROKER_URL_VARIABLE}")
        options["celery"] = {
            "broker_url": d.broker_url,
            "result_backend": "db+" + sqlalchemy_url(d.metadata_url),
            "worker_concurrency": str(d.worker_concurrency),
        }
    return options


def sqlalchemy_url(url: str) -> str:
    """A PostgreSQL URL in SQLAlchemy's form with the psycopg 3 driver (which also serves the async engine)."""
    scheme, _, rest = url.partition("://")
    if scheme in ("postgresql", "postgres", "postgresql+psycopg") and rest:
        return "postgresql+psycopg://" + rest
    raise ConfigurationError(
        f"the Airflow metadata database must be a PostgreSQL URL (postgresql://USER:PASSWORD@HOST:PORT/DB), "
        f"not {scheme or url!r}")


def with_database(url: str, name: str) -> str:
    """A PostgreSQL URL naming database ``name`` on the same server (the embedded server's URL included)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def component_environment(deployment: Deployment, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of this deployment's Airflow processes: its home, and ingot importable by the tasks.

    Airflow options set in the environment (``AIRFLOW__SECTION__KEY``) win over airflow.cfg, as usual; those of
    the project-local SQLite home are dropped, so that a shell prepared by ``ingot airflow env`` cannot point
    these components at SQLite.
    """
    env = {name: value for name, value in (os.environ if base is None else base).items()
           if name not in LOCAL_HOME_VARIABLES}
    env.update({
        "AIRFLOW_HOME": str(deployment.home),
        "AIRFLOW_CONFIG": str(deployment.home / "airflow.cfg"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
    })
    return env


# What `ingot airflow env` exports for the SQLite home; never meant for a long-running set-up.
LOCAL_HOME_VARIABLES = {
    "AIRFLOW_HOME", "AIRFLOW_CONFIG", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CORE__DAGS_FOLDER",
    "AIRFLOW__API__HOST", "AIRFLOW__API__PORT", "AIRFLOW__API__BASE_URL", "AIRFLOW__CORE__EXECUTOR",
}


def write_airflow_cfg(home: Path, options: Mapping[str, Mapping[str, str]]) -> Path:
    """Write ``home/airflow.cfg``, readable by its owner only (it holds the secrets)."""
    home.mkdir(parents=True, exist_ok=True)
    parser = configparser.ConfigParser(interpolation=None)
    for section, values in options.items():
        parser[section] = dict(values)
    path = home / "airflow.cfg"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("# Written by ingot at every start: edit the ingot command's options, not this file.\n")
        parser.write(file)
    os.chmod(path, 0o600)
    return path


def kept_secrets(home: Path) -> Secrets:
    """The secrets of this home's airflow.cfg, or new ones on first start (the Fernet key must not change)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(home / "airflow.cfg", encoding="utf-8")
    try:
        return Secrets(parser["api_auth"]["jwt_secret"], parser["api"]["secret_key"],
                       parser["core"]["fernet_key"])
    except KeyError:
        return Secrets.generate()


def shared_secrets(environ: Mapping[str, str]) -> Secrets:
    """The secrets every machine of a cluster shares, from the environment; one line naming what is missing."""
    missing = [name for name in SECRET_VARIABLES.values() if not environ.get(name)]
    if missing:
        raise ConfigurationError(
            f"set {', '.join(missing)} (the same values on the control host and every worker); generate them "
            "with `.venv/bin/ingot airflow secrets`")
    return Secrets(**{field: environ[name] for field, name in SECRET_VARIABLES.items()})


def required(environ: Mapping[str, str], name: str, what: str) -> str:
    value = environ.get(name)
    if not value:
        raise ConfigurationError(f"set {name} to {what}")
    return value


def news_database_url(environ: Mapping[str, str]) -> str | None:
    """The news database every machine shares: INGOT_DATABASE_URL, else the ``ingot_news`` connection (URI form)."""
    return environ.get("INGOT_DATABASE_URL") or environ.get(NEWS_CONNECTION_VARIABLE) or None


def metadata_marker(deployment: Deployment, airflow_version: str, pool_slots: int) -> str:
    """What a prepared home was prepared for: Airflow's version, the metadata database (hashed), the pool."""
    database = hashlib.sha256(deployment.metadata_url.encode()).hexdigest()[:16]
    return f"apache-airflow {airflow_version}, metadata {database}, pool {CRAWL_POOL}={pool_slots}"
