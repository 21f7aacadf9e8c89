"""The long-running set-ups' configuration: a complete airflow.cfg, and the one-line refusals of a worker."""

import configparser
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ingot.airflow_deploy import (SECRET_VARIABLES, Deployment, Secrets, airflow_options, component_environment,
                                  kept_secrets, shared_secrets, sqlalchemy_url, with_database, write_airflow_cfg)
from ingot.errors import ConfigurationError

SECRETS = Secrets("jwt-secret", "secret-key", "fernet-key")


def celery_deployment(home: Path) -> Deployment:
    return Deployment(home=home, executor="CeleryExecutor", metadata_url="postgresql://airflow:pw@control:5432/airflow",
                      api_host="0.0.0.0", api_port=8080, api_url="http://control:8080", secrets=SECRETS,
                      broker_url="redis://:pw@control:6379/0", worker_log_server_port=8795)


def test_a_celery_deployment_has_every_setting_a_remote_worker_needs(tmp_path):
    options = airflow_options(celery_deployment(tmp_path))
    assert options["core"]["executor"] == "CeleryExecutor"
    assert options["core"]["execution_api_server_url"] == "http://control:8080/execution/"
    assert options["database"]["sql_alchemy_conn"] == "postgresql+psycopg://airflow:pw@control:5432/airflow"
    assert options["database"]["sql_alchemy_conn_async"] == options["database"]["sql_alchemy_conn"]
    assert options["api_auth"]["jwt_secret"] == "jwt-secret" and options["core"]["fernet_key"] == "fernet-key"
    assert options["celery"] == {"broker_url": "redis://:pw@control:6379/0",
                                 "result_backend": "db+postgresql+psycopg://airflow:pw@control:5432/airflow",
                                 "worker_concurrency": "4"}
    assert options["logging"]["worker_log_server_port"] == "8795"


def test_every_option_written_is_an_airflow_option():
    import importlib.util

    config_path = Path(importlib.util.find_spec("airflow").submodule_search_locations[0], "config_templates",
                       "config.yml")
    known = {(section, key) for section, body in yaml.safe_load(config_path.read_text()).items()
             for key in body["options"]}
    for section, values in airflow_options(celery_deployment(Path("/nowhere"))).items():
        for key in values:
            assert section == "celery" or (section, key) in known, (section, key)


def test_the_metadata_database_must_be_postgresql():
    assert sqlalchemy_url("postgresql://postgres:@/airflow?host=/tmp/sock") == \
        "postgresql+psycopg://postgres:@/airflow?host=/tmp/sock"
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        sqlalchemy_url("sqlite:////tmp/airflow.db")
    assert with_database("postgresql://postgres:@/ingot?host=/tmp/sock", "airflow") == \
        "postgresql://postgres:@/airflow?host=/tmp/sock"


def test_the_cfg_is_readable_by_its_owner_only_and_keeps_its_secrets_across_starts(tmp_path):
    home = tmp_path / "home"
    assert kept_secrets(home) != kept_secrets(home), "no file yet: new secrets each time"
    first = kept_secrets(home)
    path = write_airflow_cfg(home, airflow_options(
        Deployment(home=home, executor="LocalExecutor", metadata_url="postgresql://u:p@h/airflow",
                   api_host="127.0.0.1", api_port=8080, api_url="http://127.0.0.1:8080", secrets=first)))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert kept_secrets(home) == first
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    assert parser["core"]["executor"] == "LocalExecutor" and "celery" not in parser


def test_shared_secrets_come_from_the_environment_or_one_line_names_what_is_missing():
    environ = dict(zip(SECRET_VARIABLES.values(), ("a", "b", "c")))
    assert shared_secrets(environ) == Secrets("a", "b", "c")
    with pytest.raises(ConfigurationError) as raised:
        shared_secrets({})
    assert all(name in str(raised.value) for name in SECRET_VARIABLES.values())
    assert "ingot airflow secrets" in str(raised.value)


def test_the_components_never_inherit_the_sqlite_home_of_ingot_run(tmp_path):
    env = component_environment(celery_deployment(tmp_path), {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "sqlite:////x.db", "AIRFLOW_HOME": "/elsewhere", "PATH": "/bin"})
    assert "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" not in env
    assert env["AIRFLOW_HOME"] == str(tmp_path) and env["AIRFLOW_CONFIG"] == str(tmp_path / "airflow.cfg")


def ingot(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingot.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def bare_env(tmp_path) -> dict:
    """A shell with none of the cluster's settings, and an INGOT_HOME where an embedded server would appear."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("INGOT_", "AIRFLOW"))}
    return env | {"INGOT_HOME": str(tmp_path / "home")}


def test_a_worker_without_a_news_database_exits_with_one_line_saying_what_to_set(bare_env, tmp_path):
    result = ingot("airflow", "worker", env=bare_env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "set INGOT_DATABASE_URL" in lines[0] and "AIRFLOW_CONN_INGOT_NEWS" in lines[0]
    assert not (tmp_path / "home" / "pgdata").exists(), "no embedded server was started"


def test_a_worker_whose_news_database_has_no_schema_says_to_start_the_control_host_first(bare_env, pg_server_url):
    result = ingot("airflow", "worker", env=bare_env | {"INGOT_DATABASE_URL": pg_server_url})
    assert result.returncode == 2
    assert "has no schema: start the control host first" in result.stderr.strip()


def test_a_worker_without_the_cluster_settings_names_the_missing_one(bare_env, migrated_db_url):
    result = ingot("airflow", "worker", env=bare_env | {"INGOT_DATABASE_URL": migrated_db_url})
    assert result.returncode == 2
    assert result.stderr.strip() == ("ingot airflow: set INGOT_AIRFLOW_DATABASE_URL to the control host's Airflow "
                                     "metadata database (Celery keeps task results there)")


def test_standalone_runs_on_the_embedded_postgresql_and_on_loopback_only(tmp_path):
    from ingot.commands.airflow import standalone_deployment
    from ingot.settings import Settings

    settings = Settings.from_env({"INGOT_HOME": str(tmp_path)})
    deployment = standalone_deployment(settings, "postgresql://postgres:@/ingot?host=/tmp/pgsock", 18080)
    options = airflow_options(deployment)
    assert options["core"]["executor"] == "LocalExecutor"
    assert options["database"]["sql_alchemy_conn"] == "postgresql+psycopg://postgres:@/airflow?host=/tmp/pgsock"
    assert (options["api"]["host"], options["api"]["port"]) == ("127.0.0.1", "18080")
    assert options["core"]["execution_api_server_url"] == "http://127.0.0.1:18080/execution/"
    assert deployment.home == tmp_path / "airflow-standalone"

