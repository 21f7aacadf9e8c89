"""The daily DAG parses quickly, imports nothing of ours at parse time, and is wired as the issue describes.

Parsing happens in a subprocess with a throwaway AIRFLOW_HOME, as the DAG processor would do it, so that
Airflow's configuration and our import checks see a clean interpreter.
"""

import json
import os
import subprocess
import sys
import textwrap

from datetime import date, datetime, timedelta

import pytest

from ingot.airflow_env import DAGS_FOLDER
from ingot.daily import news_day_for
from ingot.paths import PROJECT_ROOT

# `airflow backfill create --from-date 2026-03-01 --to-date 2026-03-08`, as the README shows it
BACKFILL_EXAMPLE = ("2026-03-01", "2026-03-08")
PARSE_BUDGET_SECONDS = 2.0  # the DAG file itself, once airflow.sdk is imported

PARSE_SCRIPT = textwrap.dedent("""
    import json, sys, time
    from datetime import datetime, timezone
    import airflow.sdk  # imported first: its cost is Airflow's, not the DAG file's
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization
    before = set(sys.modules)
    started = time.perf_counter()
    bag = DagBag(dag_folder=sys.argv[1])
    seconds = time.perf_counter() - started
    new_modules = sorted(set(sys.modules) - before)
    dag = bag.dags.get("ingot_daily")
    # What the scheduler sees: the serialized DAG, its first automated run, the runs a backfill would create.
    scheduled = DagSerialization.from_dict(DagSerialization.to_dict(dag)) if dag else None
    first_run = scheduled.next_dagrun_info(last_automated_run_info=None) if dag else None
    backfill = [info.data_interval.start.isoformat() for info in scheduled.iter_dagrun_infos_between(
        datetime.fromisoformat(sys.argv[2]).replace(tzinfo=timezone.utc),
        datetime.fromisoformat(sys.argv[3]).replace(tzinfo=timezone.utc))] if dag else []
    print(json.dumps({
        "errors": {k: str(v) for k, v in bag.import_errors.items()},
        "seconds": seconds,
        "forbidden": [m for m in new_modules if m.split(".")[0] in ("ingot", "psycopg", "scrapy", "crawlers",
                                                                      "extract", "pgserver", "trafilatura")],
        "dag_ids": sorted(bag.dags),
        "tags": sorted(dag.tags) if dag else [],
        "max_active_runs": dag.max_active_runs if dag else None,
        "catchup": dag.catchup if dag else None,
        "timetable": repr(dag.timetable) if dag else None,
        "params": sorted(dag.params) if dag else [],
        "sites_schema": dag.params.get_param("sites").schema if dag else {},
        "description": dag.description if dag else None,
        "doc_md": dag.doc_md if dag else None,
        "dagrun_timeout_hours": dag.dagrun_timeout.total_seconds() / 3600 if dag and dag.dagrun_timeout else None,
        "has_failure_callback": bool(dag and dag.has_on_failure_callback),
        "parsed_at": datetime.now(timezone.utc).isoformat(),
        "first_run_after": first_run.run_after.isoformat() if first_run else None,
        "backfill_interval_starts": backfill,
        "tasks": {t.task_id: {"upstream": sorted(t.upstream_task_ids), "retries": t.retries, "owner": t.owner,
                              "retry_delay_seconds": t.retry_delay.total_seconds(),
                              "map_index_template": t.map_index_template,
                              "trigger_rule": t.trigger_rule.value, "pool": t.pool,
                              "backoff": t.retry_exponential_backoff,
                              "mapped": t.get_closest_mapped_task_group() is not None}
                  for t in (dag.tasks if dag else [])},
    }))
""")


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow-home")
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
           "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
           # a broken database URL proves that parsing never connects to the news database
           "INGOT_DATABASE_URL": "postgresql://nobody:secret@db.invalid:5432/news"}
    result = subprocess.run([sys.executable, "-c", PARSE_SCRIPT, str(DAGS_FOLDER), *BACKFILL_EXAMPLE], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_dag_imports_without_errors(parsed):
    assert parsed["errors"] == {}
    assert parsed["dag_ids"] == ["ingot_daily"]


def test_dag_parses_within_budget(parsed):
    assert parsed["seconds"] < PARSE_BUDGET_SECONDS


def test_parse_imports_nothing_but_airflow_and_the_standard_library(parsed):
    assert parsed["forbidden"] == []


def test_dag_has_tags_owner_and_retries(parsed):
    assert "ingot" in parsed["tags"]
    for task_id, task in parsed["tasks"].items():
        assert task["owner"] == "ingot", task_id
    crawl = parsed["tasks"]["site.crawl"]
    assert crawl["retries"] >= 2 and crawl["backoff"] >= 2
    assert parsed["tasks"]["site.extract"]["retries"] >= 1


def test_plan_retries_soon_for_a_first_run_whose_api_server_is_still_starting(parsed):
    plan = parsed["tasks"]["plan"]
    assert plan["retries"] >= 2 and plan["retry_delay_seconds"] <= 60


def test_a_new_deployment_waits_for_the_next_slot_instead_of_firing_the_one_that_passed(parsed):
    first_run_after = datetime.fromisoformat(parsed["first_run_after"])
    assert first_run_after > datetime.fromisoformat(parsed["parsed_at"])
    assert first_run_after - datetime.fromisoformat(parsed["parsed_at"]) <= timedelta(days=1)


def test_a_backfill_covers_the_news_days_the_readme_says(parsed):
    # 05:30 Shanghai is 21:30 UTC the day before; a run's news day is its data interval's start in Shanghai.
    days = [news_day_for(datetime.fromisoformat(start), "Asia/Shanghai")
            for start in parsed["backfill_interval_starts"]]
    assert days == [date(2026, 3, 1) + timedelta(days=n) for n in range(7)]
    readme = " ".join((PROJECT_ROOT / "README.md").read_text().split())
    assert "--from-date {} --to-date {}".format(*BACKFILL_EXAMPLE) in readme
    assert "news days 2026-03-01 to 2026-03-07" in readme


def test_tasks_run_in_order(parsed):
    tasks = parsed["tasks"]
    assert set(tasks) == {"plan", "site.crawl", "site.extract", "check", "report"}
    assert tasks["plan"]["upstream"] == []
    assert "plan" in tasks["site.crawl"]["upstream"]
    assert "site.crawl" in tasks["site.extract"]["upstream"]
    assert "site.extract" in tasks["check"]["upstream"]
    assert "check" in tasks["report"]["upstream"]


def test_one_mapped_crawl_and_extract_per_site_and_a_failing_site_does_not_stop_the_rest(parsed):
    tasks = parsed["tasks"]
    assert tasks["site.crawl"]["mapped"] and tasks["site.extract"]["mapped"]
    for task_id in ("site.extract", "check", "report"):
        assert tasks[task_id]["trigger_rule"] == "all_done", task_id


def test_crawls_share_a_pool_and_runs_are_limited(parsed):
    assert parsed["tasks"]["site.crawl"]["pool"] == "ingot_crawl"
    assert 1 <= parsed["max_active_runs"] <= 2
    assert parsed["catchup"] is False


def test_daily_early_morning_in_the_news_time_zone_by_default(parsed):
    assert "'30 5 * * *'" in parsed["timetable"] and "Asia/Shanghai" in parsed["timetable"]


def test_run_params_for_day_sites_and_reruns(parsed):
    assert {"day", "sites", "recrawl", "reextract", "retry_failed_tasks", "crawl_timeout_minutes",
            "scrapy_settings"} <= set(parsed["params"])


def test_every_mapped_task_is_labelled_by_its_site_key(parsed):
    for task_id, task in parsed["tasks"].items():
        if task["mapped"]:
            assert task["map_index_template"] == "{{ task.op_kwargs['site_key'] }}", task_id


def test_the_schedule_shows_its_time_zone(parsed):
    assert "05:30 Asia/Shanghai (21:30 UTC)" in parsed["description"]
    assert "05:30 Asia/Shanghai (21:30 UTC)" in parsed["doc_md"]


def test_the_docs_are_a_runbook(parsed):
    doc = parsed["doc_md"]
    for section in ("What each task does", "What a failed site's reason means", "How to rerun",
                    "Where the logs are"):
        assert f"## {section}" in doc
    for task_id in parsed["tasks"]:
        assert f"`{task_id}`" in doc, task_id
    assert "blocked by the site" in doc and "INGOT_HOME/logs/crawl-KEY-DAY.log" in doc


def test_sites_are_picked_from_the_enabled_sites(parsed):
    from ingot.paths import SITES_DIR
    from ingot.sites import load_sites

    enabled = sorted(key for key, site in load_sites(SITES_DIR).items() if site.enabled)
    schema = parsed["sites_schema"]
    assert schema["type"] == "array" and schema["examples"] == enabled
    assert len(enabled) < len(load_sites(SITES_DIR)), "a disabled site exists and is not offered"


def test_a_failed_or_timed_out_run_alerts_and_a_run_has_a_deadline(parsed):
    assert parsed["has_failure_callback"]
    assert 6 <= parsed["dagrun_timeout_hours"] < 24, "shorter than a day: a stuck run fails before the next one"
