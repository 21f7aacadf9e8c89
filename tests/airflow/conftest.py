"""Fixtures of the Airflow end-to-end tests: one dag.test() run of every fixture site, shared by the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.airflow.dag_runs import DAY, DagRunner, articles_by_site, fixture_sites, natural_rows, snapshot


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ingot-home")


@pytest.fixture(scope="session")
def daily_runs(migrated_db_url, fixture_web_server, airflow_home):
    """Every fixture site, run twice for the same news day; what the database held after each run.

    The rerun is what clearing the day in Airflow does (a crawl that succeeded is not repeated), plus a forced
    re-extraction of every stored page, so that the crawl skip and the extraction upserts are both exercised.
    ``rows`` is what the first run stored, by natural keys (the Celery test compares its own run with it).
    """
    from tests.conftest import truncate_all

    truncate_all(migrated_db_url)
    runner = DagRunner(airflow_home, migrated_db_url, fixture_web_server)
    sites = fixture_sites()
    first = runner.run(DAY, sites)
    after_first = snapshot(migrated_db_url)
    rows = natural_rows(migrated_db_url, sites)
    report_first = runner.report(DAY, sites)
    second = runner.run(DAY, sites, recrawl=False, reextract=True)
    yield {"sites": sites, "runs": [first, second], "snapshots": [after_first, snapshot(migrated_db_url)],
           "report": report_first, "articles": articles_by_site(migrated_db_url), "rows": rows}
    truncate_all(migrated_db_url)
