"""Extract stored raw pages into articles: read pages, run the pure extractor in a process pool, save outcomes.

Pages are picked when they have no recorded outcome, or one produced by an older extractor or rule version, or
always with ``reextract``. Work goes in batches so memory stays bounded whatever the number of pages; each batch
is one transaction, so an interrupted run loses at most one batch of work and a rerun picks up the rest. Raw
pages are never deleted here. A page whose extraction runs past its time budget (``page_budget``) is recorded as
rejected with reason ``timeout`` and the batch goes on; a page the database refuses costs only that page
(``ingot.article_store``).
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import psycopg
from psycopg.types.json import Jsonb

from extract import EXTRACTOR_VERSION
from extract.article import TIMEOUT
from ingot.article_store import PageOutcome, save_outcomes
from ingot.database import connect, database_failure, is_connection_failure
from ingot.extract_pool import (PAGE_BUDGET_SECONDS, OverBudget, extractor_pool, within_budget, worker_budget,
                                worker_sites)
from ingot.page_outcome import outcome_for_page
from ingot.sites import Site

log = logging.getLogger(__name__)

# Pages per batch, and per transaction: a batch's fixed costs (URL look-up, lock, commit) are 13% of saving 200
# articles and half that at 500, while 500 pages stay a few MB in memory and a few seconds of work to redo.
BATCH_SIZE = 500
# Following a crawl: wait for this many stored pages (or the crawl's end) before a pass, polling so often.
FOLLOW_MIN_PAGES = 50
FOLLOW_POLL_SECONDS = 0.1
# Batches left queued in the pool while this process saves the oldest: the pool never waits for a save, nor
# between a crawl's bunches of pages.
MAX_BATCHES_IN_FLIGHT = 2


@dataclass
class ExtractionSummary:
    site_key: str | None
    pages: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    failed: int = 0

    def line(self) -> str:
        rejected = ", ".join(f"{reason} {n}" for reason, n in sorted(self.rejected.items())) or "none"
        return (f"{self.site_key or 'all sites'}: {self.pages} pages, {self.articles_new} new articles, "
                f"{self.articles_updated} updated, {self.articles_unchanged} unchanged, rejected: {rejected}, "
                f"failed: {self.failed}")


CANDIDATES = """
SELECT rp.id
FROM raw_page rp
JOIN crawl_run cr ON cr.id = rp.crawl_run_id
LEFT JOIN page_extraction pe ON pe.raw_page_id = rp.id
WHERE rp.kind = 'article'
  AND (%(site)s::text IS NULL OR rp.site_key = %(site)s)
  AND (%(day)s::date IS NULL OR cr.news_day = %(day)s)
  AND (%(since)s::date IS NULL OR cr.news_day >= %(since)s)
  AND (%(reextract)s OR pe.raw_page_id IS NULL
       OR pe.extractor_version <> %(version)s
       OR pe.rule_version <> coalesce((%(rule_versions)s::jsonb ->> rp.site_key)::int, 0))
ORDER BY rp.fetched_at, rp.id
"""

# listed_at: the date the link's listing gave, else the one an earlier fetch's listing gave (the stored article
# kept it), so that a revisit, which comes without a listing, does not make the article undated again.
PAGE_ROWS = """
SELECT rp.id, rp.site_key, rp.url, rp.final_url, rp.canonical_url, rp.http_status, rp.headers, rp.body_zlib,
       rp.fetched_at, coalesce(rp.listed_at, a.published_at), coalesce(rp.listed_raw, a.published_raw)
FROM raw_page rp
LEFT JOIN article a ON a.canonical_url = rp.canonical_url AND a.published_rule = 'listing' AND rp.listed_at IS NULL
WHERE rp.id = ANY(%s) ORDER BY rp.fetched_at, rp.id
"""


def extract_pages(db_url: str, sites: dict[str, Site], *, site_key: str | None = None, day: date | None = None,
                  since: date | None = None, reextract: bool = False, workers: int | None = None,
                  follow: Callable[[], bool] | None = None,
                  page_budget: float | None = PAGE_BUDGET_SECONDS) -> ExtractionSummary:
    """Extract the pages selected by site, news day and version; returns what happened to them.

    ``page_budget``: seconds one page's extraction may take before it is rejected as ``timeout``.
    A database that answers but refuses the work (a full disk, a missing privilege) raises ``DatabaseFailure``
    worded by its SQLSTATE; a lost connection raises the driver's OperationalError.

    ``follow``: extract the pages a crawl stores while it runs. ``follow()`` answers whether the crawl is still
    running; pages are picked up as they land, in bunches, and one last pass after the crawl has finished takes
    whatever it stored at the end, so the result is the same as extracting after the crawl.
    """
    if follow is not None and reextract:
        raise ValueError("follow picks up new pages only; re-extraction runs after the crawl")
    summary = ExtractionSummary(site_key)
    rejected: Counter[str] = Counter()
    selection = {
        "site": site_key, "day": day, "since": since, "reextract": reextract, "version": EXTRACTOR_VERSION,
        "rule_versions": Jsonb({key: site.rule_version for key, site in sites.items()}),
    }
    try:
        _extract(db_url, sites, selection, summary, rejected, site_key, workers, follow, page_budget)
    except psycopg.Error as error:
        if is_connection_failure(error):
            raise
        raise database_failure(error, db_url) from None
    summary.rejected = dict(rejected)
    return summary


def _extract(db_url: str, sites: dict[str, Site], selection: dict, summary: ExtractionSummary,
             rejected: Counter[str], site_key: str | None, workers: int | None,
             follow: Callable[[], bool] | None, page_budget: float | None) -> None:
    # autocommit: each batch's ``conn.transaction()`` is then a transaction of its own, committed as soon as the
    # batch is saved, not a savepoint of one run-long transaction
    with connect(db_url, autocommit=True) as conn, _executor(sites, workers, page_budget) as run:
        in_flight: deque[Iterator[PageOutcome]] = deque()  # batches handed to the extractor, saved oldest first
        submitted: set[int] = set()
        while True:
            finished = follow is None or not follow()
            new = [page_id for (page_id,) in conn.execute(CANDIDATES, selection) if page_id not in submitted]
            if new and (finished or not in_flight or len(new) >= FOLLOW_MIN_PAGES):
                log.info("%s: %d pages to extract", site_key or "all sites", len(new))
                for batch in _batches(new, BATCH_SIZE):
                    submitted.update(batch)
                    in_flight.append(run(_load_pages(conn, batch)))
                    if len(in_flight) > MAX_BATCHES_IN_FLIGHT:
                        _save(conn, list(in_flight.popleft()), summary, rejected)
                if follow is None:
                    break
            elif in_flight and (not new or len(in_flight) > 1):
                # the pool works on the next batch meanwhile; with nothing new, what is done gets stored now
                _save(conn, list(in_flight.popleft()), summary, rejected)
            elif finished:
                break
            else:
                time.sleep(FOLLOW_POLL_SECONDS)  # let a bunch gather: the pool works best on full batches
        while in_flight:
            _save(conn, list(in_flight.popleft()), summary, rejected)


def _save(conn: psycopg.Connection, outcomes: list[PageOutcome], summary: ExtractionSummary,
          rejected: Counter[str]) -> None:
    counts = save_outcomes(conn, outcomes)
    summary.pages += len(outcomes)
    summary.articles_new += counts.new
    summary.articles_updated += counts.updated
    summary.articles_unchanged += counts.unchanged
    recorded = {outcome.raw_page_id: outcome for outcome in counts.refused}  # what was stored instead
    for outcome in outcomes:
        outcome = recorded.get(outcome.raw_page_id, outcome)
        if outcome.reason == "extractor_error":
            summary.failed += 1
        elif outcome.reason:
            rejected[outcome.reason] += 1


def _batches(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _load_pages(conn: psycopg.Connection, page_ids: list[int]) -> list[dict]:
    """The pages' rows, bodies still compressed: they travel to the workers five times smaller, and are
    decompressed there (``outcome_for_page``), not in this process, which must keep up with all of them."""
    columns = ("id", "site_key", "url", "final_url", "canonical_url", "http_status", "headers", "body_zlib",
               "fetched_at", "listed_at", "listed_raw")
    return [dict(zip(columns, row)) for row in conn.execute(PAGE_ROWS, (page_ids,))]


def budgeted_outcome(page: dict, site: Site | None, budget: float | None) -> PageOutcome:
    """``outcome_for_page``, or a ``timeout`` rejection when extracting the page takes more than ``budget`` s."""
    try:
        return within_budget(budget, outcome_for_page, page, site)
    except OverBudget:
        log.warning("extraction of raw page %s (%s) took more than %g s", page["id"], page["url"], budget)
        return PageOutcome(raw_page_id=page["id"], site_key=page["site_key"],
                           rule_version=site.rule_version if site else 0, extractor_version=EXTRACTOR_VERSION,
                           reason=TIMEOUT, detail=f"extraction took more than {budget:g} s")


def _outcome_in_worker(page: dict) -> PageOutcome:
    return budgeted_outcome(page, worker_sites().get(page["site_key"]), worker_budget())


class _executor:
    """``with _executor(sites, workers, budget) as run: run(pages)`` → outcomes in page order, in-process or
    pooled, each page within ``budget`` seconds.

    Pooled, ``run`` submits the pages at once and returns a lazy iterator, so the caller can save one batch
    while the next is being extracted."""

    def __init__(self, sites: dict[str, Site], workers: int | None, budget: float | None):
        self.sites = sites
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.budget = budget
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self):
        if self.workers > 1:
            self.pool = extractor_pool(self.sites, self.workers, self.budget)
            return lambda pages: self.pool.map(_outcome_in_worker, pages, chunksize=8)
        return lambda pages: (budgeted_outcome(page, self.sites.get(page["site_key"]), self.budget)
                              for page in pages)

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
