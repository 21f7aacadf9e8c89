"""The only writer of ``raw_page`` and ``crawl_run``: every fetched page, byte for byte, and one row per crawl.

Connects in ``open_spider`` (opening or reopening the day's run), writes pages in batches, idempotent on
(crawl run, URL), and records the run's status and stats when the spider closes, whatever the reason.

When the database goes away mid-crawl (a restart, a failover), the crawl goes on: pages wait in the buffer and
each later batch tries a new connection; at the close the pipeline keeps trying for ``INGOT_DB_RETRY_SECONDS``.
If the buffer fills first, the crawl stops early. If the database never comes back, the run is left
``running`` with one ERROR line saying so, and a rerun of the day stores what is missing: writes are upserts, and
pages already stored are known and not fetched again; the process then exits non-zero.

A page is hostile input: every value of its row goes through ``ingot.storable`` (a NUL in a header, which jsonb
refuses, is removed), and a URL too long for its index is not sent (a canonical URL falls back to the page URL; a
page URL that long is recorded as lost). Should the database still refuse a row (SQLSTATE classes 22, 23, 54,
told apart from an outage by the error's class, as ``ingot.article_store`` does), the batch is written again page
by page and the refused page is recorded as a failure with the database's reason: one bad page costs that page.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import sys
import time
import zlib
from collections import Counter
from typing import NamedTuple

import psycopg
from psycopg.types.json import Jsonb
from scrapy import signals

from crawlers.crawl_runs import FINISH_RUN_SQL, crawl_stats, open_run, run_outcome
from crawlers.failures import dropped_redirect_reason
from crawlers.items import FetchFailure, RawPage
from crawlers.urls import is_allowed_url, is_public_web_url
from ingot.article_store import is_row_refusal
from ingot.database import connect, describe_url, redact
from ingot.errors import DatabaseUnavailable
from ingot.storable import fits_index, storable, storable_text

logger = logging.getLogger(__name__)

BATCH_SIZE = 25
# A slow site fills a batch slowly: a page waits at most this long in memory before it is written (so that the
# extraction following the crawl sees it, and a killed crawler loses less).
FLUSH_SECONDS = 5.0
# Pages held while the database is unreachable before the crawl stops early (memory stays bounded).
MAX_BUFFERED_PAGES = 500
# Exit status of a crawler whose run could not be recorded (Scrapy's own crawl command exits 0 whatever a
# signal handler meets).
RUN_NOT_RECORDED_EXIT = 3

SAVE_PAGE_SQL = """
INSERT INTO raw_page (crawl_run_id, site_key, kind, url, final_url, canonical_url, http_status, headers,
                      declared_encoding, detected_encoding, body_zlib, body_size, body_sha256, fetched_at,
                      listed_at, listed_raw)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (crawl_run_id, url) DO UPDATE
SET kind = EXCLUDED.kind, final_url = EXCLUDED.final_url, canonical_url = EXCLUDED.canonical_url,
    http_status = EXCLUDED.http_status, headers = EXCLUDED.headers,
    declared_encoding = EXCLUDED.declared_encoding, detected_encoding = EXCLUDED.detected_encoding,
    body_zlib = EXCLUDED.body_zlib, body_size = EXCLUDED.body_size, body_sha256 = EXCLUDED.body_sha256,
    fetched_at = EXCLUDED.fetched_at, listed_at = EXCLUDED.listed_at, listed_raw = EXCLUDED.listed_raw
"""

class RawPagePipeline:
    def __init__(self, crawler, database_url: str):
        self.crawler = crawler
        self.database_url = database_url
        self.conn = None
        self.run_id: int | None = None
        self.buffer: list[PendingPage] = []
        self.pages: Counter = Counter()
        self.failures: list[FetchFailure] = []
        self.refused = 0
        self.started = time.monotonic()
        self.batch_size = crawler.settings.getint("INGOT_BATCH_SIZE", BATCH_SIZE)
        self.flush_seconds = crawler.settings.getfloat("INGOT_FLUSH_SECONDS", FLUSH_SECONDS)
        self.buffered_since = 0.0  # monotonic time the oldest buffered page arrived
        self.retry_seconds = crawler.settings.getfloat("INGOT_DB_RETRY_SECONDS", 60.0)
        self.next_attempt = 0.0  # monotonic time before which a lost database is not tried again
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler):
        url = crawler.settings.get("INGOT_DATABASE_URL")
        if not url:
            raise ValueError("INGOT_DATABASE_URL is not set: raw pages have nowhere to go")
        pipeline = cls(crawler, url)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        return pipeline

    def open_spider(self):
        spider = self.crawler.spider
        self.conn = connect(self.database_url, autocommit=True)
        self.run_id = open_run(self.conn, spider.site_key, spider.day)
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
            row, problem = self._row(item)
            if problem:
                self.failures.append(FetchFailure(item.kind, storable_text(item.url), problem,
                                                  item.http_status))
                return item
            if not self.buffer:
                self.buffered_since = time.monotonic()
            self.buffer.append(PendingPage(item.kind, storable_text(item.url), item.http_status, row))
            self.pages[item.kind] += 1
            if len(self.buffer) >= self.batch_size or time.monotonic() - self.buffered_since >= self.flush_seconds:
                self.flush()
        return item

    def close_spider(self):
        pass  # everything left is written in spider_closed, which also records the run

    def request_dropped(self, request, spider=None):
        """A redirect whose target was dropped before download (off the site, or a loop) loses its page."""
        chain = request.meta.get("redirect_urls")
        if not chain:
            return  # a link dropped as a duplicate: the page is fetched under its first request
        site = self.crawler.spider.site
        allowed = is_public_web_url(request.url) and is_allowed_url(request.url, site.allowed_hosts)
        reason = dropped_redirect_reason(request.url, chain, allowed)
        if reason:
            self.failures.append(FetchFailure(request.meta.get("ingot_kind", "other"),
                                              request.meta.get("ingot_url", chain[0]), reason,
                                              extra={"target": request.url}))
        else:
            self.crawler.stats.inc_value("ingot/redirect_merged")

    def spider_error(self, failure, response, spider=None):
        """A callback that raised lost whatever its page held: one failure, under that page's URL (Scrapy's stats
        count it twice, as ``spider_exceptions/count`` and under the exception's name, and name no URL)."""
        request = getattr(response, "request", None)
        meta = request.meta if request is not None else {}
        url = meta.get("ingot_url") or getattr(response, "url", "") or "(start requests)"
        error = failure.value
        self.failures.append(FetchFailure(meta.get("ingot_kind", "other"), url,
                                          f"spider error {type(error).__name__}: {str(error)[:160]}".rstrip(": "),
                                          getattr(response, "status", None)))

    def flush(self) -> None:
        """Write the buffered pages; while the database is unreachable (or fails for any reason that is not a
        page's), keep them and try again later, stopping the crawl once the buffer is full."""
        if not self.buffer or time.monotonic() < self.next_attempt:
            return
        try:
            self._write_pending()
        except (psycopg.Error, DatabaseUnavailable) as error:
            self.next_attempt = time.monotonic() + 1.0
            logger.warning("database unreachable or failing, %d pages kept for the next attempt: %s",
                           len(self.buffer), self._reason(error))
            if len(self.buffer) >= MAX_BUFFERED_PAGES and not self.stopping:
                self.stopping = True
                self.crawler.engine.close_spider(self.crawler.spider, "database_unavailable")

    def _write_pending(self) -> None:
        """The buffer in one batch; refused on its data, page by page, each refused page recorded and dropped."""
        try:
            self._write_batch(self.buffer)
        except (psycopg.Error, UnicodeError) as error:
            if not is_row_refusal(error):
                raise
            logger.warning("the database refused a row of a batch of %d pages (%s); writing them one by one",
                           len(self.buffer), self._reason(error))
            while self.buffer:
                page = self.buffer[0]
                try:
                    self._write_batch([page])
                except (psycopg.Error, UnicodeError) as refusal:
                    if not is_row_refusal(refusal):
                        raise  # the rest stays buffered, as for any outage
                    self._refused_page(page, refusal)
                del self.buffer[0]
        else:
            self.buffer.clear()

    def _refused_page(self, page: PendingPage, error: BaseException) -> None:
        reason = f"not stored: the database refused the page ({type(error).__name__}: {self._reason(error)})"
        logger.warning("%s %s", page.url, reason)
        self.failures.append(FetchFailure(page.kind, page.url, reason[:300], page.http_status))
        self.pages[page.kind] -= 1

    def _write_batch(self, pages: list[PendingPage]) -> None:
        if self.conn is None or self.conn.closed:
            self.conn = connect(self.database_url, autocommit=True)
        try:
            with self.conn.transaction(), self.conn.cursor() as cursor:
                cursor.executemany(SAVE_PAGE_SQL, [page.row for page in pages])
        except psycopg.Error as error:
            if not is_row_refusal(error):
                self._drop_connection()
            raise

    def _write_until_deadline(self, write) -> None:
        """Run ``write`` (which reconnects as needed), retrying for ``INGOT_DB_RETRY_SECONDS``."""
        deadline, delay = time.monotonic() + self.retry_seconds, 0.25
        while True:
            try:
                return write()
            except (psycopg.OperationalError, DatabaseUnavailable) as error:
                if is_row_refusal(error):
                    raise  # a value over a limit (class 54 is an OperationalError): no retry changes it
                self._drop_connection()
                if time.monotonic() + delay > deadline:
                    raise DatabaseUnavailable(
                        f"the database at {describe_url(self.database_url)} stayed unreachable for "
                        f"{self.retry_seconds:.0f} s ({self._reason(error)})") from None
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _finish_run(self, status: str, stats: dict, error: str | None) -> None:
        if self.conn is None or self.conn.closed:
            self.conn = connect(self.database_url, autocommit=True)
        try:
            self.conn.execute(FINISH_RUN_SQL, (status, Jsonb(storable(stats)), storable(error), self.run_id))
        except psycopg.OperationalError:
            self._drop_connection()
            raise

    def _drop_connection(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # already broken: nothing to release
                pass
        self.conn = None

    def _reason(self, error: Exception) -> str:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return redact(first, self.database_url)[:300]

    def spider_closed(self, spider, reason):
        if self.run_id is None:
            return
        robots = {key.rsplit("/", 1)[1]: value for key, value in self.crawler.stats.get_stats().items()
                  if key.startswith("ingot/robots_unreachable/")}
        for netloc, error in robots.items():  # nothing of that host was fetched: a failure, not a decision
            self.failures.append(FetchFailure("other", f"{netloc}/robots.txt",
                                              f"robots.txt unreachable ({error}): host not crawled"))
        try:
            self._write_until_deadline(self._write_pending if self.buffer else lambda: None)
        except DatabaseUnavailable as error:
            logger.error("Database error: %s; %d pages of this crawl were not stored and its run was not "
                         "recorded: rerun the crawl when the database is back", error, len(self.buffer))
            self._drop_connection()
            exit_nonzero_at_exit()
            return
        except psycopg.Error as error:  # the database answers but fails the writes: the pages are lost, the run
            lost = self._reason(error)  # is recorded with them (when it can be)
            logger.error("Database error: %s; %d pages of this crawl were not stored", lost, len(self.buffer))
            for page in self.buffer:
                self.failures.append(FetchFailure(page.kind, page.url, f"not stored: {lost}"[:300],
                                                  page.http_status))
                self.pages[page.kind] -= 1
            self.buffer.clear()
        try:
            scrapy_stats = self.crawler.stats.get_stats()
            stats = crawl_stats(scrapy_stats, self.pages, self.failures, self.refused,
                                time.monotonic() - self.started, reason)
            status, error = run_outcome(reason, self.pages, self.failures)
            self._write_until_deadline(lambda: self._finish_run(status, stats, error))
        except (DatabaseUnavailable, psycopg.Error) as error:
            logger.error("Database error: %s; the run of this crawl was not recorded: rerun the crawl when the "
                         "database is back", self._reason(error))
            exit_nonzero_at_exit()
        finally:
            self._drop_connection()

    def _row(self, page: RawPage) -> tuple[tuple | None, str | None]:
        """The page's row, every value storable; or None and why the page cannot be stored."""
        url, canonical = storable_text(page.url), storable_text(page.canonical_url)
        if not fits_index(url):
            return None, (f"not stored: its URL is longer than an index entry allows "
                          f"({len(url.encode())} bytes)")
        if not fits_index(canonical):  # a canonical URL of kilobytes identifies nothing: the page's URL does
            canonical = url
        row = (
            self.run_id, self.crawler.spider.site_key, page.kind, url, storable_text(page.final_url), canonical,
            page.http_status, Jsonb(storable(page.headers)), _storable_or_none(page.declared_encoding),
            _storable_or_none(page.detected_encoding), zlib.compress(page.body), len(page.body),
            hashlib.sha256(page.body).hexdigest(), page.fetched_at,
            page.listed_at, _storable_or_none(page.listed_raw),
        )
        return row, None


class PendingPage(NamedTuple):
    """A page's row waiting in the buffer, with what names it should the database refuse it."""

    kind: str
    url: str
    http_status: int
    row: tuple


def _storable_or_none(value: str | None) -> str | None:
    return None if value is None else storable_text(value)


def exit_nonzero_at_exit(code: int = RUN_NOT_RECORDED_EXIT) -> None:
    """Make the crawler process exit with ``code`` once Scrapy is done: its crawl command exits 0 whatever a
    pipeline meets, and a crawl whose run was not recorded must not look like one that was."""
    def leave() -> None:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    atexit.register(leave)
