"""What the spider hands to the pipeline: fetched pages and failed fetches. Plain data, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

PAGE_KINDS = ("article", "list", "feed", "sitemap", "other")


@dataclass
class RawPage:
    """One response, byte for byte. ``url`` is the page's identity (the requested URL, or the shell URL of an
    AJAX article); ``final_url`` is where the bytes came from after redirects."""

    kind: str
    url: str
    final_url: str
    canonical_url: str
    http_status: int
    headers: dict[str, str]
    declared_encoding: str | None
    detected_encoding: str | None
    body: bytes
    fetched_at: datetime
    listed_at: datetime | None = None  # the date the listing, feed or sitemap gave beside the link
    listed_raw: str | None = None


@dataclass
class FetchFailure:
    """A request that ended without a usable response (after retries): recorded in the crawl run's stats."""

    kind: str
    url: str
    reason: str
    http_status: int | None = None
    extra: dict = field(default_factory=dict)
