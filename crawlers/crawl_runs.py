"""The day's ``crawl_run`` row: opened for one crawler at a time, closed with what the run stats say.

Pure except ``open_run``; ``crawlers.pipelines.RawPagePipeline`` (the one writer of ``crawl_run``) calls these.
"""

from __future__ import annotations

from collections import Counter

import psycopg

from crawlers.items import FetchFailure

MAX_FAILED_URLS = 200

# Opening the day's run, in one transaction: the row is created if missing, then locked and read; a run still
# held by a live crawler session is refused, any other is (re)opened for this session.
CREATE_RUN_SQL = """
INSERT INTO crawl_run (site_key, news_day, status, started_at) VALUES (%s, %s, 'running', now())
ON CONFLICT (site_key, news_day) DO NOTHING
"""
LOCK_RUN_SQL = """
SELECT r.id, r.status = 'running' AND r.owner_pid IS DISTINCT FROM pg_backend_pid()
       AND EXISTS (SELECT FROM pg_stat_activity a WHERE a.pid = r.owner_pid), r.owner_pid
FROM crawl_run r WHERE r.site_key = %s AND r.news_day = %s FOR UPDATE
"""
OPEN_RUN_SQL = """
UPDATE crawl_run SET status = 'running', started_at = now(), finished_at = NULL, error = NULL,
       owner_pid = pg_backend_pid()
WHERE id = %s
"""

FINISH_RUN_SQL = """
UPDATE crawl_run SET status = %s, finished_at = now(), stats = %s, error = %s WHERE id = %s
"""


def crawl_stats(scrapy_stats: dict, pages: Counter, failures: list[FetchFailure], refused: int,
                duration: float, reason: str) -> dict:
    """The run's stats as stored in ``crawl_run.stats``: counts an operator reads, not Scrapy's whole dump."""
    prefix = "downloader/response_status_count/"
    return {
        "requests": scrapy_stats.get("downloader/request_count", 0),
        "responses": {key[len(prefix):]: value for key, value in sorted(scrapy_stats.items())
                      if key.startswith(prefix)},
        "bytes": scrapy_stats.get("downloader/response_bytes", 0),
        "pages": {kind: count for kind, count in sorted(pages.items()) if count > 0},
        "new_articles": pages.get("article", 0),
        "errors": len(failures),
        "error_samples": [f"{f.kind} {f.url}: {f.reason}" for f in failures[:5]],
        # every lost page with its reason (bounded): what an operator checks in a browser
        "failed_urls": {f.url: f.reason for f in failures[:MAX_FAILED_URLS]},
        "known_skipped": scrapy_stats.get("ingot/known_skipped", 0),
        "links_too_old": scrapy_stats.get("ingot/links_too_old", 0),
        # links kept although their date could not be read (an age window could not judge them), and one such date
        "links_date_unreadable": scrapy_stats.get("ingot/links_date_unreadable", 0),
        "links_date_unreadable_sample": scrapy_stats.get("ingot/links_date_unreadable_sample"),
        "not_modified": sum(v for k, v in scrapy_stats.items() if k.startswith("ingot/not_modified/")),
        "robots_forbidden": scrapy_stats.get("robotstxt/forbidden", 0),
        "refused_hosts": scrapy_stats.get("ingot/refused_host", 0) + scrapy_stats.get("offsite/filtered", 0) + refused,
        "robots_unreachable": scrapy_stats.get("ingot/robots_unreachable", 0),
        "retries": scrapy_stats.get("retry/count", 0),
        "duration_s": round(duration, 3),
        "finish_reason": reason,
    }


def run_outcome(reason: str, pages: Counter, failures: list[FetchFailure]) -> tuple[str, str | None]:
    """``succeeded`` when everything fetched; ``partial`` when some pages were stored despite failures;
    ``failed`` when nothing usable came back or the crawl stopped early with nothing stored."""
    if reason == "finished" and not failures:
        return "succeeded", None
    reasons = Counter(f.reason for f in failures)
    summary = ", ".join(f"{text} x{count}" for text, count in reasons.most_common(4))
    parts = []
    if failures:
        parts.append(f"{len(failures)} fetch(es) failed ({summary}); first: {failures[0].url}")
    if reason != "finished":
        parts.append(f"crawl stopped early: {reason}")
    return ("partial" if sum(count for count in pages.values() if count > 0) else "failed"), "; ".join(parts)


class CrawlAlreadyRunning(RuntimeError):
    """The day's run of the site is held by another crawler that is still running."""


def open_run(conn: psycopg.Connection, site_key: str, day) -> int:
    """Open (or reopen) the day's run for this crawler's session and return its id; ``CrawlAlreadyRunning`` when
    another live crawler holds it (two crawls of one site and day would fetch every page twice)."""
    with conn.transaction():
        conn.execute(CREATE_RUN_SQL, (site_key, day))
        run_id, held, owner = conn.execute(LOCK_RUN_SQL, (site_key, day)).fetchone()
        if held:
            raise CrawlAlreadyRunning(f"a crawl of {site_key} for {day} is already running (crawl run {run_id}, "
                                      f"database session {owner}); wait for it to end, or stop it, then rerun")
        conn.execute(OPEN_RUN_SQL, (run_id,))
    return run_id
