"""The only writer of ``raw_page`` and ``crawl_run``: every fetched page, byte for byte, and one row per crawl.

Connects in ``open_spider`` (opening or reopening the day's run), writes pages in batches, idempotent on
(crawl run, URL), and records the run's status and stats when the spider closes, whatever the reason.
"""

from __future__ import annotations

import hashlib
import time
import zlib
from collections import Counter

from psycopg.types.json import Jsonb
from scrapy import signals

from crawlers.items import FetchFailure, RawPage
from crawlers.urls import is_allowed_url
from ingot.database import connect

BATCH_SIZE = 25

OPEN_RUN_SQL = """
INSERT INTO crawl_run (site_key, news_day, status, started_at)
VALUES (%s, %s, 'running', now())
ON CONFLICT (site_key, news_day) DO UPDATE
SET status = 'running', started_at = now(), finished_at = NULL, error = NULL
RETURNING id
"""

SAVE_PAGE_SQL = """
INSERT INTO raw_page (crawl_run_id, site_key, kind, url, final_url, canonical_url, http_status, headers,
                      declared_encoding, detected_encoding, body_zlib, body_size, body_sha256, fetched_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (crawl_run_id, url) DO UPDATE
SET kind = EXCLUDED.kind, final_url = EXCLUDED.final_url, canonical_url = EXCLUDED.canonical_url,
    http_status = EXCLUDED.http_status, headers = EXCLUDED.headers,
    declared_encoding = EXCLUDED.declared_encoding, detected_encoding = EXCLUDED.detected_encoding,
    body_zlib = EXCLUDED.body_zlib, body_size = EXCLUDED.body_size, body_sha256 = EXCLUDED.body_sha256,
    fetched_at = EXCLUDED.fetched_at
"""

FINISH_RUN_SQL = """
UPDATE crawl_run SET status = %s, finished_at = now(), stats = %s, error = %s WHERE id = %s
"""


class RawPagePipeline:
    def __init__(self, crawler, database_url: str):
        self.crawler = crawler
        self.database_url = database_url
        self.conn = None
        self.run_id: int | None = None
        self.buffer: list[tuple] = []
        self.pages: Counter = Counter()
        self.failures: list[FetchFailure] = []
        self.refused = 0
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        url = crawler.settings.get("INGOT_DATABASE_URL")
        if not url:
            raise ValueError("INGOT_DATABASE_URL is not set: raw pages have nowhere to go")
        pipeline = cls(crawler, url)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self):
        spider = self.crawler.spider
        self.conn = connect(self.database_url, autocommit=True)
        self.run_id = self.conn.execute(OPEN_RUN_SQL, (spider.site_key, spider.day)).fetchone()[0]
        self.crawler.stats.set_value("ingot/crawl_run_id", self.run_id)
        self.started = time.monotonic()

    def process_item(self, item):
        if isinstance(item, FetchFailure):
            self.failures.append(item)
        elif isinstance(item, RawPage):
            site = self.crawler.spider.site
            if not is_allowed_url(item.final_url, site.allowed_hosts) or not is_allowed_url(item.url,
                                                                                              site.allowed_hosts):
                self.refused += 1  # a redirect to a mirror: never stored as this site's page
                return item
            self.buffer.append(self._row(item))
            self.pages[item.kind] += 1
            if len(self.buffer) >= BATCH_SIZE:
                self.flush()
        return item

    def close_spider(self):
        if self.conn is not None:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        with self.conn.transaction(), self.conn.cursor() as cursor:
            cursor.executemany(SAVE_PAGE_SQL, self.buffer)
        self.buffer.clear()

    def spider_closed(self, spider, reason):
        if self.conn is None or self.run_id is None:
            return
        try:
            self.flush()
        except Exception as error:  # the run row must still say what happened
            self.failures.append(FetchFailure("other", "", f"storing pages failed: {error}"))
        scrapy_stats = self.crawler.stats.get_stats()
        for key, count in scrapy_stats.items():
            if key.startswith("spider_exceptions/"):  # a callback that raised lost whatever that page held
                self.failures.append(FetchFailure("other", "", f"spider error {key.split('/', 1)[1]} x{count}"))
        stats = crawl_stats(scrapy_stats, self.pages, self.failures, self.refused,
                            time.monotonic() - self.started, reason)
        status, error = run_outcome(reason, self.pages, self.failures)
        self.conn.execute(FINISH_RUN_SQL, (status, Jsonb(stats), error, self.run_id))
        self.conn.close()
        self.conn = None

    def _row(self, page: RawPage) -> tuple:
        return (
            self.run_id, self.crawler.spider.site_key, page.kind, page.url, page.final_url, page.canonical_url,
            page.http_status, Jsonb(page.headers), page.declared_encoding, page.detected_encoding,
            zlib.compress(page.body), len(page.body), hashlib.sha256(page.body).hexdigest(), page.fetched_at,
        )


def crawl_stats(scrapy_stats: dict, pages: Counter, failures: list[FetchFailure], refused: int,
                duration: float, reason: str) -> dict:
    """The run's stats as stored in ``crawl_run.stats``: counts an operator reads, not Scrapy's whole dump."""
    prefix = "downloader/response_status_count/"
    return {
        "requests": scrapy_stats.get("downloader/request_count", 0),
        "responses": {key[len(prefix):]: value for key, value in sorted(scrapy_stats.items())
                      if key.startswith(prefix)},
        "bytes": scrapy_stats.get("downloader/response_bytes", 0),
        "pages": dict(sorted(pages.items())),
        "new_articles": pages.get("article", 0),
        "errors": len(failures),
        "error_samples": [f"{f.kind} {f.url}: {f.reason}" for f in failures[:5]],
        "known_skipped": scrapy_stats.get("ingot/known_skipped", 0),
        "not_modified": sum(v for k, v in scrapy_stats.items() if k.startswith("ingot/not_modified/")),
        "robots_forbidden": scrapy_stats.get("robotstxt/forbidden", 0),
        "refused_hosts": scrapy_stats.get("ingot/refused_host", 0) + refused,
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
    return ("partial" if sum(pages.values()) else "failed"), "; ".join(parts)
