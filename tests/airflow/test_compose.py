"""docker-compose.yml, checked without Docker: the compose-spec schema, then the references between its parts."""

import importlib.util
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from ingot.paths import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
SCHEMA = Path(__file__).parent / "data" / "compose-spec.json"
AIRFLOW_SERVICES = ["airflow-init", "airflow-api-server", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer", "airflow-worker"]
# Read by the code but meaningful only on a developer machine: the loopback fixture web of tests and `ingot demo`,
# and the TCP port of the embedded server.
LOCAL_ONLY_VARIABLES = {"INGOT_FIXTURE_WEB", "INGOT_LISTEN"}
VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
             if line.strip() and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def interpolate(value, env: dict[str, str]):
    """Compose's variable substitution (${VAR}, ${VAR:-default}, ${VAR:?error}, $$) over a parsed document."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match):
        name, operator, argument = match.groups()
        if env.get(name):
            return env[name]
        if operator and operator.endswith("?"):
            raise AssertionError(f"${{{name}}} is required ({argument}) but .env.example does not set it")
        return argument if operator else ""

    return VARIABLE.sub(substitute, value.replace("$$", "\0")).replace("\0", "$")


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def compose(raw, env_example) -> dict:
    return interpolate(raw, env_example)


def test_compose_file_matches_the_compose_specification(compose):
    schema = yaml.safe_load(SCHEMA.read_text())  # JSON is YAML
    jsonschema.Draft201909Validator(schema).validate(compose)


def test_every_variable_is_in_env_example_or_has_a_default(raw, env_example):
    text = COMPOSE.read_text().replace("$$", "")  # $${HOSTNAME} is the container's shell variable
    for name, operator, _ in VARIABLE.findall(text):
        assert name in env_example or operator in (":-", "-"), name
    assert "COMPOSE_PROFILES" in env_example and "AIRFLOW_EXECUTOR" in env_example


def test_no_secret_is_written_in_the_file(raw):
    for name, service in raw["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET|FERNET|_CONN|DATABASE_URL|RESULT_BACKEND", key):
                assert "${" in str(value) or not re.search(r":[^/@]+@", str(value)), f"{name}: {key}"
                if re.search(r"PASSWORD|SECRET|FERNET", key):
                    assert str(value).startswith("${"), f"{name}: {key}"
    assert not re.search(r"://\w+:(?!\$\{)[^@/\s]+@", COMPOSE.read_text()), "a URL carries a literal password"


def test_env_example_holds_placeholders_only(env_example):
    for name, value in env_example.items():
        if re.search(r"PASSWORD|SECRET|FERNET", name):
            assert value.startswith("change-me"), name


def test_depends_on_targets_exist_and_respect_profiles(compose):
    services = compose["services"]
    for name, service in services.items():
        for target in service.get("depends_on") or {}:
            assert target in services, f"{name} depends on unknown {target}"
            if not service.get("profiles"):
                assert not services[target].get("profiles"), f"{name} (always on) needs {target} (a profile)"


def test_named_volumes_are_declared(compose):
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes") or []:
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source")
            if source and not source.startswith((".", "/", "~")):
                assert source in declared, f"{name} uses undeclared volume {source}"
    assert {"news-db-data", "airflow-db-data"} <= declared


def test_every_service_has_an_image_or_build_and_a_health_check(compose):
    for name, service in compose["services"].items():
        assert service.get("image") or service.get("build"), name
        if name != "airflow-init":
            assert "healthcheck" in service, name


def test_the_airflow_image_is_built_from_the_lock_file(compose):
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen" in dockerfile and "COPY" in dockerfile and "uv.lock" in dockerfile
    for name in AIRFLOW_SERVICES:
        assert compose["services"][name]["build"]["context"] == "."


def test_airflow_3_components_local_executor_and_a_one_shot_init(compose):
    services = compose["services"]
    commands = {name: " ".join(services[name]["command"]) for name in AIRFLOW_SERVICES}
    for component in ("api-server", "scheduler", "dag-processor", "triggerer"):
        assert f"airflow {component}" in commands[f"airflow-{component}"]
        condition = services[f"airflow-{component}"]["depends_on"]["airflow-init"]["condition"]
        assert condition == "service_completed_successfully"
    assert "airflow db migrate" in commands["airflow-init"] and "ingot db upgrade" in commands["airflow-init"]
    assert services["airflow-init"]["restart"] == "no"
    env = services["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert "@airflow-db:" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert "@news-db:" in env["AIRFLOW_CONN_INGOT_NEWS"]


def test_celery_profile_adds_redis_and_workers(compose):
    services = compose["services"]
    assert services["redis"]["profiles"] == ["celery"] and services["airflow-worker"]["profiles"] == ["celery"]
    assert "celery worker" in " ".join(services["airflow-worker"]["command"])
    assert "redis" in services["airflow-worker"]["depends_on"]
    assert "--extra celery" in (PROJECT_ROOT / "Dockerfile").read_text()


def environment_variables_read_by_the_code() -> set[str]:
    names = set()
    for path in [PROJECT_ROOT / "ingot" / "settings.py", *(PROJECT_ROOT / "dags").glob("*.py")]:
        names |= set(re.findall(r"""(?:env|environ)\.get\(\s*["']([A-Z][A-Z0-9_]+)["']""", path.read_text()))
    return names - LOCAL_ONLY_VARIABLES


def test_every_environment_variable_the_code_reads_is_provided(compose):
    wanted = environment_variables_read_by_the_code()
    assert {"INGOT_DATABASE_URL", "INGOT_NEWS_TIMEZONE", "INGOT_SCHEDULE"} <= wanted
    for name in AIRFLOW_SERVICES:
        missing = wanted - set(compose["services"][name]["environment"])
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_airflow_settings_name_real_configuration_options(compose):
    config_path = Path(importlib.util.find_spec("airflow").submodule_search_locations[0], "config_templates",
                       "config.yml")
    options = {(section, key) for section, body in yaml.safe_load(config_path.read_text()).items()
               for key in body["options"]}
    for name in AIRFLOW_SERVICES:
        for variable in compose["services"][name]["environment"]:
            if variable.startswith("AIRFLOW__") and not variable.startswith("AIRFLOW__CELERY__"):
                section, key = variable.removeprefix("AIRFLOW__").lower().split("__")
                assert (section, key) in options, variable
