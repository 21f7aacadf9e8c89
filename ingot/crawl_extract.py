"""Crawl one site's news day and extract its pages as they land: the daily crawl task's work.

The crawler (a subprocess) waits on the network and on Scrapy; the extractor burns CPU. Run one after the other, a
site's day costs the sum of both; run side by side, about the longer of the two. The crawl is started, this process
extracts the pages it stores while it runs (``extract_pages(follow=...)``), and a last pass after the crawl's end
takes the rest, so the stored result is the one a separate extraction would give.

An extraction that breaks meanwhile (the database went away, say) does not stop the crawl: its error is returned,
the pages stay stored, and the extract task that follows picks them up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from ingot.crawl_job import CrawlFailed, CrawlOutcome, start_crawl
from ingot.database import resolve_database_url
from ingot.extraction_job import ExtractionSummary, extract_pages
from ingot.settings import Settings
from ingot.sites import load_sites

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawledAndExtracted:
    """The crawl's outcome or its failure, and what extraction did meanwhile or why it stopped."""

    crawl: CrawlOutcome | None
    crawl_error: CrawlFailed | None
    extraction: ExtractionSummary | None
    extraction_error: str | None


def crawl_and_extract(settings: Settings, site_key: str, day: date, *, workers: int,
                      overrides: Mapping[str, str] | None = None, progress: Callable[[str], None] | None = None,
                      timeout: float | None = None) -> CrawledAndExtracted:
    """Crawl ``site_key`` for ``day`` while extracting its stored pages with ``workers`` processes."""
    sites = load_sites(settings.sites_dir)
    crawl = start_crawl(settings, site_key, day, overrides=overrides, progress=progress, timeout=timeout)
    extraction, extraction_error = None, None
    try:
        extraction = extract_pages(resolve_database_url(settings), sites, site_key=site_key, day=day,
                                   workers=workers, follow=crawl.running)
    except Exception as error:  # the crawl goes on; its pages stay stored for the extract task
        extraction_error = f"{type(error).__name__}: {' '.join(str(error).split())}"
        log.warning("%s: extraction during the crawl stopped (%s); the extract task will take the pages",
                    site_key, extraction_error)
    except BaseException:  # interrupted: no crawler left behind
        crawl.kill()
        raise
    try:
        return CrawledAndExtracted(crawl.wait(), None, extraction, extraction_error)
    except CrawlFailed as error:
        return CrawledAndExtracted(None, error, extraction, extraction_error)
