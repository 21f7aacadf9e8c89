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
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ingot.database import connect, resolve_database_url
from ingot.errors import IngotError, UnknownSite
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
    return start_crawl(settings, site_key, day, overrides=overrides, progress=progress, timeout=timeout).wait()


def start_crawl(settings: Settings, site_key: str, day: date, *, overrides: Mapping[str, str] | None = None,
                progress: Callable[[str], None] | None = None, timeout: float | None = None) -> RunningCrawl:
    """Start the crawl subprocess and return at once; ``wait()`` on the result as ``crawl_site`` does.

    The crawler's output is appended to ``<INGOT_HOME>/logs/crawl-<site>-<day>.log`` (every attempt, kept for the
    operator), not sent to a pipe, so the caller may do other work meanwhile (extract the pages the crawl stores)
    without a reader thread.
    """
    sites = load_sites(settings.sites_dir)
    if site_key not in sites:
        raise UnknownSite(site_key, settings.sites_dir)
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

    report = progress or logger.info
    report(f"{site_key}: crawling news day {day.isoformat()}")
    log_path = settings.home / "logs" / f"crawl-{site_key}-{day.isoformat()}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log_file:  # every attempt of the day, appended; the child keeps its own descriptor
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        log_file.write(f"--- ingot: crawl of {site_key} for {day.isoformat()}, started {started} UTC\n".encode())
        log_file.flush()
        start_offset = log_file.tell()
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    return RunningCrawl(site_key, day, database_url, process, log_path, start_offset, report, timeout)


class RunningCrawl:
    """A crawl subprocess under way: ``running()`` polls it (cheap, never blocks), ``wait()`` ends it."""

    def __init__(self, site_key: str, day: date, database_url: str, process: subprocess.Popen, log_path: Path,
                 start_offset: int, report: Callable[[str], None], timeout: float | None):
        self.site_key, self.day, self.database_url = site_key, day, database_url
        self.process, self.log_path, self.report = process, log_path, report
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.timeout = timeout
        self.timed_out = False
        self.tail: deque[str] = deque(maxlen=30)
        self._log = open(log_path, encoding="utf-8", errors="replace")
        self._log.seek(start_offset)  # this attempt's lines only
        self._partial = ""

    def running(self) -> bool:
        """Whether the crawler is still at work; reports its progress lines and stops it at its deadline."""
        self._read_log()
        if self.process.poll() is not None:
            return False
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.timed_out = True
            self.kill()
            return False
        return True

    def wait(self) -> CrawlOutcome:
        """Wait for the crawler to finish and return its recorded outcome; raises ``CrawlFailed`` as documented
        on ``crawl_site``."""
        try:
            while self.running():
                time.sleep(0.2)
            returncode = self.process.wait()
            self._read_log()
        finally:
            self._log.close()
        if self.timed_out:
            raise CrawlFailed(f"{self.site_key}: the crawl for {self.day} ran longer than {self.timeout:.0f} s and "
                              "was stopped; rerun it, or lower the site's list depth")
        site_key, day = self.site_key, self.day
        outcome = load_outcome(self.database_url, site_key, day)
        held = next((line for line in reversed(self.tail) if "CrawlAlreadyRunning: " in line), None)
        if held:  # another crawler holds the day's run: nothing was fetched, the other crawl goes on
            raise CrawlFailed(f"{site_key}: {held.split('CrawlAlreadyRunning: ', 1)[1].strip()}")
        if outcome is None or outcome.status == "running" or returncode != 0 and outcome.status != "failed":
            tail = self.tail
            last = next((line for line in reversed(tail) if "Error" in line or "error" in line),
                        tail[-1] if tail else "")
            raise CrawlFailed(f"{site_key}: the crawler process for {day} exited with code {returncode} before "
                              f"recording its run ({last.strip()[:300]}); see {self.log_path}, fix the cause and "
                              f"rerun `ingot crawl --site {site_key} --day {day}`")
        self.report(f"{site_key}: {outcome.status}, {format_stats(outcome.stats)}")
        if outcome.status == "failed":
            raise CrawlFailed(f"{site_key}: crawl for {day} failed: {outcome.error}; check the site in a browser "
                              f"and rerun `ingot crawl --site {site_key} --day {day}`")
        return outcome

    def _read_log(self) -> None:
        text = self._partial + self._log.read()
        lines = text.split("\n")
        self._partial = lines.pop()  # an unfinished last line waits for the rest of it
        for line in lines:
            self.tail.append(line.rstrip())
            counts = LOGSTATS.search(line)
            if counts:
                self.report(f"{self.site_key}: {counts.group(1)} pages fetched, {counts.group(2)} stored")

    def kill(self) -> None:
        """Stop the crawler now; what it stored stays, and its run is left for the next crawl to reopen."""
        self.process.kill()
        self.process.wait()


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
