"""The database goes away under a crawl or an extraction; a crawler is killed. On a server of the module's own.

| fault                                             | what happens                                        |
|---------------------------------------------------|-----------------------------------------------------|
| restart during a crawl                            | pages wait in the pipeline, the run succeeds        |
| down during a crawl, past the retry budget        | one-line error; the rerun stores the rest, once     |
| refusing connections when a crawl starts          | one-line error naming the server, no password       |
| crawler killed with SIGKILL                       | the rerun completes, no duplicate rows              |
| restart during an extraction                      | the batch in flight fails; the rerun completes once |
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from datetime import date
from pathlib import Path

import psycopg
import pytest

import ingot.extraction_job as extraction_job
from ingot.commands.extract import run_extract
from ingot.errors import IngotError
from ingot.extraction_job import extract_pages
from ingot.fixture_web import FixtureWeb
from ingot.settings import Settings
from ingot.sites import load_sites
from tests.crawl.helpers import crawl
from tests.reliability.dbserver import DisposableServer
from tests.reliability.faultsite import write_plain_site

DAY = date(2026, 9, 28)
KEY, HOST = "dbfault", "www.dbfault-news.com"
PAGES = 8
# one page per transaction, so that the outage falls between two writes
OVERRIDES = {"INGOT_BATCH_SIZE": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}


@pytest.fixture(scope="module")
def server():
    # not under pytest's tmp folder: as root, pgserver runs postgres as another user, who must reach the folder
    folder = Path(tempfile.mkdtemp(prefix="ingot-own-pg-"))
    folder.chmod(0o755)
    own = DisposableServer(folder / "data")
    yield own
    if own.is_running():
        own.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("dbfault-site")
    urls = write_plain_site(root, KEY, HOST, PAGES)
    with FixtureWeb(root / "web") as web:
        yield {"root": root, "sites_dir": root / "sites", "web": web, "urls": urls}


@pytest.fixture
def db(server):
    if not server.is_running():
        server.start()
    return server.new_database()


def run_crawl(db_url, site, **overrides):
    site["web"].clear_faults()
    return crawl(db_url, site["web"], KEY, DAY, sites_dir=site["sites_dir"], overrides=OVERRIDES | overrides)


def on_page(site, number: int, action) -> None:
    site["web"].inject({"kind": "call", "function": lambda host, path: action()}, HOST, f"/news/story-{number:03d}.html")


def stored(db_url) -> dict[str, int]:
    with psycopg.connect(db_url) as conn:
        return dict(conn.execute("SELECT url, count(*) FROM raw_page WHERE kind = 'article' GROUP BY url"))


def counts(db_url) -> tuple[int, int, int]:
    with psycopg.connect(db_url) as conn:
        return conn.execute("SELECT (SELECT count(*) FROM crawl_run), (SELECT count(*) FROM article),"
                            " (SELECT count(*) FROM page_extraction)").fetchone()


def assert_one_line_without_secrets(message: str) -> None:
    assert "\n" not in message and "password" not in message.lower(), message


def test_database_restart_during_a_crawl_is_ridden_out(server, site, db):
    def restart():
        server.stop()
        threading.Timer(1.5, server.start).start()

    site["web"].clear_faults()
    on_page(site, 3, restart)
    outcome = crawl(db, site["web"], KEY, DAY, sites_dir=site["sites_dir"], overrides=OVERRIDES)
    assert outcome.status == "succeeded", outcome.error
    assert stored(db) == {url: 1 for url in site["urls"]}


def test_database_down_past_the_retry_budget_fails_in_one_line_then_a_rerun_stores_each_page_once(server, site, db):
    site["web"].clear_faults()
    on_page(site, 4, server.stop)
    with pytest.raises(IngotError) as failure:
        crawl(db, site["web"], KEY, DAY, sites_dir=site["sites_dir"],
              overrides=OVERRIDES | {"INGOT_DB_RETRY_SECONDS": "1"})
    assert_one_line_without_secrets(str(failure.value))
    assert "database" in str(failure.value)
    server.start()
    before = stored(db)
    assert 0 < len(before) < PAGES, "the outage fell in the middle of the crawl"
    outcome = run_crawl(db, site)
    assert outcome.status == "succeeded" and outcome.stats["known_skipped"] == len(before)
    assert stored(db) == {url: 1 for url in site["urls"]}
    assert counts(db)[0] == 1, "the rerun reused the day's crawl run"


def test_database_refusing_connections_when_a_crawl_starts_fails_in_one_line(server, site, db):
    server.stop()
    try:
        with pytest.raises(IngotError) as failure:
            run_crawl(db, site)
    finally:
        server.start()
    message = str(failure.value)
    assert_one_line_without_secrets(message)
    assert "cannot connect to the database at the embedded server at" in message
    assert run_crawl(db, site).status == "succeeded"
    assert stored(db) == {url: 1 for url in site["urls"]}


def scrapy_children() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid() and b"scrapy" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_crawler_killed_with_sigkill_then_rerun_has_no_duplicate_rows(site, db):
    def kill():
        for pid in scrapy_children():
            os.kill(pid, signal.SIGKILL)

    site["web"].clear_faults()
    on_page(site, 5, kill)
    with pytest.raises(IngotError) as failure:
        crawl(db, site["web"], KEY, DAY, sites_dir=site["sites_dir"], overrides=OVERRIDES)
    assert "exited with code -9 before recording its run" in str(failure.value)
    outcome = run_crawl(db, site)
    assert outcome.status == "succeeded"
    assert stored(db) == {url: 1 for url in site["urls"]}
    summary = extract_pages(db, load_sites(site["sites_dir"]), site_key=KEY, workers=1)
    assert summary.articles_new == PAGES
    assert counts(db) == (1, PAGES, PAGES)


def test_database_restart_during_an_extraction_fails_the_batch_then_a_rerun_extracts_each_page_once(
        server, site, db, monkeypatch, capsys):
    assert run_crawl(db, site).status == "succeeded"
    sites = load_sites(site["sites_dir"])
    save = extraction_job.save_outcomes
    calls = []

    def save_then_restart(conn, outcomes):
        calls.append(len(outcomes))
        if len(calls) == 2:
            server.stop()
            server.start()
        return save(conn, outcomes)

    monkeypatch.setattr(extraction_job, "BATCH_SIZE", 3)
    monkeypatch.setattr(extraction_job, "save_outcomes", save_then_restart)
    with pytest.raises(psycopg.OperationalError):
        extract_pages(db, sites, site_key=KEY, workers=1)
    first_batch = counts(db)
    assert first_batch[1:] == (3, 3), "the first batch was committed, the second was not"

    monkeypatch.setattr(extraction_job, "save_outcomes", save)
    summary = extract_pages(db, sites, site_key=KEY, workers=1)
    assert summary.pages == PAGES - 3 and summary.articles_new == PAGES - 3
    assert counts(db) == (1, PAGES, PAGES)


@pytest.mark.parametrize("when", ["at_start", "mid_run"])
def test_ingot_extract_losing_the_database_says_so_in_one_line(server, site, db, monkeypatch, when):
    assert run_crawl(db, site).status == "succeeded"
    settings = Settings.from_env({"INGOT_DATABASE_URL": db, "INGOT_SITES_DIR": str(site["sites_dir"])})
    args = type("Args", (), {"site": KEY, "day": DAY, "since": None, "reextract": False, "workers": 1})()
    if when == "at_start":
        server.stop()
    else:
        save = extraction_job.save_outcomes

        def save_after_stop(conn, outcomes):
            server.stop()
            return save(conn, outcomes)

        monkeypatch.setattr(extraction_job, "save_outcomes", save_after_stop)
    try:
        with pytest.raises(IngotError) as failure:
            run_extract(args, settings)
    finally:
        server.start()
    assert_one_line_without_secrets(str(failure.value))
    assert "database" in str(failure.value)
