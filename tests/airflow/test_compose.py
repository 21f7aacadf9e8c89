"""docker-compose.yml and docker-compose.worker.yml, checked without Docker: the compose-spec schema, then the
references between their parts and between the control host's and the worker hosts' settings."""

import importlib.util
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from ingot.paths import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
WORKER_COMPOSE = PROJECT_ROOT / "docker-compose.worker.yml"
COMPOSE_FILES = [COMPOSE, WORKER_COMPOSE]
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


@pytest.fixture(scope="module")
def worker_compose(env_example) -> dict:
    return interpolate(yaml.safe_load(WORKER_COMPOSE.read_text()), env_example)


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda path: path.name)
def test_compose_files_match_the_compose_specification(path, env_example):
    schema = yaml.safe_load(SCHEMA.read_text())  # JSON is YAML
    jsonschema.Draft201909Validator(schema).validate(interpolate(yaml.safe_load(path.read_text()), env_example))


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda path: path.name)
def test_every_variable_is_in_env_example_or_has_a_default(path, env_example):
    text = path.read_text().replace("$$", "")  # $${HOSTNAME} is the container's shell variable
    for name, operator, _ in VARIABLE.findall(text):
        assert name in env_example or operator in (":-", "-"), name
    assert "COMPOSE_PROFILES" in env_example and "AIRFLOW_EXECUTOR" in env_example


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda path: path.name)
def test_no_secret_is_written_in_the_file(path):
    for name, service in yaml.safe_load(path.read_text())["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if key.endswith("_FILE"):
                continue  # where a secret is kept, not the secret
            if re.search(r"PASSWORD|SECRET|FERNET|_CONN|DATABASE_URL|RESULT_BACKEND|BROKER_URL|REDISCLI_AUTH", key):
                assert "${" in str(value) or not re.search(r":[^/@]+@", str(value)), f"{name}: {key}"
                if re.search(r"PASSWORD|SECRET|FERNET|REDISCLI_AUTH", key):
                    assert str(value).startswith("${"), f"{name}: {key}"
    assert not re.search(r"://\w*:(?!\$\{)[^@/\s]+@", path.read_text()), "a URL carries a literal password"


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


def test_components_that_run_or_parse_tasks_wait_for_a_healthy_api_server(compose):
    services = compose["services"]
    assert "healthcheck" in services["airflow-api-server"]
    for name in ("airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker"):
        depends_on = services[name]["depends_on"]
        assert depends_on["airflow-api-server"]["condition"] == "service_healthy", name
        assert depends_on["airflow-init"]["condition"] == "service_completed_successfully", name


def published_ports(service: dict) -> dict[int, int]:
    """container port -> host port of a service's published ports ("ADDRESS:HOST:CONTAINER")."""
    return {int(port.rsplit(":", 1)[1]): int(port.rsplit(":", 2)[1]) for port in service.get("ports") or []}


def test_the_control_host_publishes_what_remote_workers_need_on_the_configured_address(raw):
    for name in ("news-db", "airflow-db", "redis", "airflow-api-server"):
        ports = raw["services"][name]["ports"]
        assert ports and all(port.startswith("${PUBLISH_ADDRESS:-127.0.0.1}:") for port in ports), name
    redis = raw["services"]["redis"]
    assert "--requirepass" in redis["command"] and "${REDIS_PASSWORD" in " ".join(redis["command"])
    assert ":${REDIS_PASSWORD" in raw["x-airflow-common"]["environment"]["AIRFLOW__CELERY__BROKER_URL"]


def test_a_worker_host_reaches_each_control_service_at_the_port_it_publishes(compose, worker_compose, env_example):
    control, env = compose["services"], worker_compose["services"]["airflow-worker"]["environment"]
    host = env_example["CONTROL_HOST"]
    wanted = {
        "INGOT_DATABASE_URL": published_ports(control["news-db"])[5432],
        "AIRFLOW_CONN_INGOT_NEWS": published_ports(control["news-db"])[5432],
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": published_ports(control["airflow-db"])[5432],
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": published_ports(control["airflow-db"])[5432],
        "AIRFLOW__CELERY__RESULT_BACKEND": published_ports(control["airflow-db"])[5432],
        "AIRFLOW__CELERY__BROKER_URL": published_ports(control["redis"])[6379],
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": published_ports(control["airflow-api-server"])[8080],
    }
    for variable, port in wanted.items():
        assert f"@{host}:{port}/" in env[variable] or f"//{host}:{port}/" in env[variable], variable


def test_a_worker_host_shares_the_control_hosts_secrets_and_serves_its_logs(raw):
    worker = yaml.safe_load(WORKER_COMPOSE.read_text())["services"]["airflow-worker"]
    control_env = raw["x-airflow-common"]["environment"]
    for variable in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY"):
        name = VARIABLE.search(control_env[variable]).group(1)
        assert VARIABLE.search(worker["environment"][variable]).group(1) == name, variable
    assert worker["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert worker["network_mode"] == "host", "the UI fetches task logs from the worker host's name and port 8793"
    assert "celery worker" in " ".join(worker["command"])


def test_a_worker_host_provides_every_variable_the_code_reads_and_real_airflow_options(worker_compose):
    env = worker_compose["services"]["airflow-worker"]["environment"]
    assert not environment_variables_read_by_the_code() - set(env)
    config_path = Path(importlib.util.find_spec("airflow").submodule_search_locations[0], "config_templates",
                       "config.yml")
    options = {(section, key) for section, body in yaml.safe_load(config_path.read_text()).items()
               for key in body["options"]}
    for variable in env:
        if variable.startswith("AIRFLOW__") and not variable.startswith("AIRFLOW__CELERY__"):
            section, key = variable.removeprefix("AIRFLOW__").lower().split("__")
            assert (section, key) in options, variable


def test_the_ui_login_is_the_admin_password_of_env(compose):
    services = compose["services"]
    init = services["airflow-init"]
    assert init["environment"]["AIRFLOW_ADMIN_PASSWORD"] == "change-me-ui-admin"
    assert "AIRFLOW_ADMIN_PASSWORD" in init["command"][2] and "PASSWORDS_FILE" in init["command"][2]
    passwords = services["airflow-api-server"]["environment"]["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
    volume = [v for v in services["airflow-api-server"]["volumes"] if v.startswith("airflow-auth:")]
    assert volume and passwords.startswith(volume[0].split(":")[1] + "/")
    assert "/opt/airflow/auth" in (PROJECT_ROOT / "Dockerfile").read_text(), "the image owns the volume's folder"
