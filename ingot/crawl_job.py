"""Crawl one site for one news day in a subprocess, as Airflow's mapped task and ``ingot crawl`` do.

Scrapy's reactor cannot restart inside one process, so each crawl is ``scrapy crawl news`` in a child process;
its outcome is read back from the ``crawl_run`` row the crawler's pipeline wrote.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from ingot.database import connect, resolve_database_url
from ingot.errors import IngotError
from ingot.paths import PROJECT_ROOT
from ingot.settings import Settings
from ingot.site_store import save_sites
from ingot.sites import load_sites

logger = logging.getLogger(__name__)

# Crawling our own loopback server: no politeness delays, short retry backoff.
FIXTURE_WEB_OVERRIDES = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "RETRY_BACKOFF_BASE": "0.05",
    "INGOT_OBEY_CRAWL_DELAY": "False",
}
LOGSTATS = re.compile(r"Crawled (\d+) pages .*scraped (\d+) items")


class CrawlFailed(IngotError):
    exit_code = 4


@dataclass(frozen=True)
class CrawlOutcome:
    site_key: str
    day: date
    status: str
    stats: dict
    error: str | None
    crawl_run_id: int


def crawl_site(settings: Settings, site_key: str, day: date, *, overrides: Mapping[str, str] | None = None,
               progress: Callable[[str], None] | None = None, timeout: float | None = None) -> CrawlOutcome:
    """Run the crawl of ``site_key`` for ``day`` and return its recorded outcome.

    Raises ``CrawlFailed`` when the run ended ``failed`` or the subprocess died without finishing its run.
    ``overrides`` are extra Scrapy settings (``-s NAME=VALUE``); ``progress`` receives one line at a time.
    """
    report = progress or logger.info
    sites = load_sites(settings.sites_dir)
    if site_key not in sites:
        raise CrawlFailed(f"no site {site_key!r} in {settings.sites_dir}; run `ingot sites` to list the keys")
    database_url = resolve_database_url(settings)
    with connect(database_url) as conn:
        save_sites(conn, sites)

    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"site={site_key}",
               "-a", f"day={day.isoformat()}", "-s", "LOGSTATS_INTERVAL=10"]
    extra = dict(FIXTURE_WEB_OVERRIDES) if settings.fixture_web else {}
    extra.update(overrides or {})
    for name, value in extra.items():
        command += ["-s", f"{name}={value}"]
    env = dict(os.environ)
    env.update({
        "INGOT_DATABASE_URL": database_url,  # in the environment, never on a command line others can read
        "INGOT_SITES_DIR": str(settings.sites_dir),
        "INGOT_CONTACT_URL": settings.contact_url,
        "SCRAPY_SETTINGS_MODULE": "crawlers.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
    })
    if settings.fixture_web:
        env["INGOT_FIXTURE_WEB"] = settings.fixture_web
    else:
        env.pop("INGOT_FIXTURE_WEB", None)

    report(f"{site_key}: crawling news day {day.isoformat()}")
    tail: deque[str] = deque(maxlen=30)
    try:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace")
        for line in process.stdout:
            tail.append(line.rstrip())
            counts = LOGSTATS.search(line)
            if counts:
                report(f"{site_key}: {counts.group(1)} pages fetched, {counts.group(2)} stored")
        returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise CrawlFailed(f"{site_key}: the crawl for {day} ran longer than {timeout:.0f} s and was stopped; "
                          "rerun it, or lower the site's list depth") from None

    outcome = load_outcome(database_url, site_key, day)
    if outcome is None or outcome.status == "running" or returncode != 0 and outcome.status != "failed":
        last = next((line for line in reversed(tail) if "Error" in line or "error" in line), tail[-1] if tail else "")
        raise CrawlFailed(f"{site_key}: the crawler process for {day} exited with code {returncode} before "
                          f"recording its run ({last.strip()[:300]}); fix the cause and rerun `ingot crawl "
                          f"--site {site_key} --day {day}`")
    report(f"{site_key}: {outcome.status}, {format_stats(outcome.stats)}")
    if outcome.status == "failed":
        raise CrawlFailed(f"{site_key}: crawl for {day} failed: {outcome.error}; check the site in a browser "
                          f"and rerun `ingot crawl --site {site_key} --day {day}`")
    return outcome


def load_outcome(database_url: str, site_key: str, day: date) -> CrawlOutcome | None:
    with connect(database_url) as conn:
        row = conn.execute(
            "SELECT id, status, stats, error FROM crawl_run WHERE site_key = %s AND news_day = %s",
            (site_key, day),
        ).fetchone()
    if row is None:
        return None
    return CrawlOutcome(site_key, day, row[1], row[2], row[3], row[0])


def format_stats(stats: dict) -> str:
    responses = " ".join(f"{code}:{count}" for code, count in (stats.get("responses") or {}).items())
    return (f"{stats.get('requests', 0)} requests ({responses or 'no responses'}), "
            f"{stats.get('new_articles', 0)} new articles, {stats.get('known_skipped', 0)} known skipped, "
            f"{stats.get('bytes', 0)} bytes, {stats.get('errors', 0)} errors, {stats.get('duration_s', 0)} s")
