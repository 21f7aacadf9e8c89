"""What a site's earlier crawls already stored: the canonical URLs to skip and the feed/sitemap validators.

Read once at spider open (by ``crawlers.middlewares``), so the spider itself never touches the database. The
body a validator stands for is read only when a 304 asks for it (``load_stored_copy``): most feeds and sitemaps
change between crawls, and a site's sitemaps can weigh megabytes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg

from crawlers.urls import canonical_url

# Stored articles count too: raw page retention deletes the pages of extracted articles, not their URLs.
KNOWN_ARTICLES_SQL = """
SELECT canonical_url, url, final_url
FROM raw_page
WHERE site_key = %(site)s AND kind = 'article' AND http_status < 300
GROUP BY canonical_url, url, final_url
HAVING min(fetched_at) < %(revisit_from)s
UNION
SELECT canonical_url, url, NULL
FROM article
WHERE site_key = %(site)s AND first_seen_at < %(revisit_from)s
"""

# The newest stored fetch of each feed and sitemap: a 200, or a 304 stored with the copy it revalidated. Its ETag
# and Last-Modified go on the next request, and its body is what a 304 answer to them means. A fetch of any run
# counts, even a failed or unfinished one (a rerun of the same day): its body is read in full on a 304, so it
# cannot hide the articles that run never fetched.
VALIDATORS_SQL = """
SELECT DISTINCT ON (url) url, id, headers->>'etag', headers->>'last-modified'
FROM raw_page
WHERE site_key = %(site)s AND kind IN ('feed', 'sitemap') AND http_status IN (200, 304)
ORDER BY url, fetched_at DESC, id DESC
"""

STORED_COPY_SQL = "SELECT headers, body_zlib FROM raw_page WHERE id = %s"

# The flag (in ``Response.flags``) of a response rebuilt from the stored copy a 304 revalidated.
NOT_MODIFIED_FLAG = "ingot-not-modified"


@dataclass(frozen=True)
class Validators:
    """The validators of one stored fetch, and the raw page that holds the body they stand for."""

    raw_page_id: int
    etag: str | None
    last_modified: str | None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class StoredCopy:
    headers: dict[str, str]
    body: bytes


@dataclass
class KnownPages:
    canonical_urls: set[str] = field(default_factory=set)
    validators: dict[str, Validators] = field(default_factory=dict)

    def is_known(self, url: str) -> bool:
        return canonical_url(url) in self.canonical_urls


def load_stored_copy(conn: psycopg.Connection, raw_page_id: int) -> StoredCopy | None:
    """The headers and body of a stored fetch; None once retention has deleted it."""
    row = conn.execute(STORED_COPY_SQL, (raw_page_id,)).fetchone()
    return None if row is None else StoredCopy(row[0], zlib.decompress(row[1]))


def load_known_pages(conn: psycopg.Connection, site_key: str, day: date, revisit_days: int,
                     timezone: str) -> KnownPages:
    """Articles stored before the revisit window (which starts ``revisit_days`` before ``day``) count as known,
    under every spelling they were stored with."""
    revisit_from = datetime.combine(day - timedelta(days=revisit_days), time.min, ZoneInfo(timezone))
    if revisit_days == 0:
        revisit_from = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    known = KnownPages()
    for row in conn.execute(KNOWN_ARTICLES_SQL, {"site": site_key, "revisit_from": revisit_from}):
        known.canonical_urls.update(canonical_url(url) for url in row if url)
    for url, raw_page_id, etag, last_modified in conn.execute(VALIDATORS_SQL, {"site": site_key}):
        if etag or last_modified:
            known.validators[url] = Validators(raw_page_id, etag, last_modified)
    return known
