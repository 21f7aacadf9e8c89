"""What a site's earlier crawls already stored: the canonical URLs to skip and the feed/sitemap validators.

Read once at spider open (by ``crawlers.middlewares``), so the spider itself never touches the database.
"""

from __future__ import annotations

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

# Validators of the last successful fetch of each feed and sitemap, taken only from runs that finished: a feed
# answered 304 must not hide articles that a failed run never fetched.
VALIDATORS_SQL = """
SELECT DISTINCT ON (p.url) p.url, p.headers->>'etag', p.headers->>'last-modified'
FROM raw_page p JOIN crawl_run r ON r.id = p.crawl_run_id
WHERE p.site_key = %(site)s AND p.kind IN ('feed', 'sitemap') AND p.http_status = 200
  AND r.status = 'succeeded'
ORDER BY p.url, p.fetched_at DESC
"""


@dataclass
class KnownPages:
    canonical_urls: set[str] = field(default_factory=set)
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    def is_known(self, url: str) -> bool:
        return canonical_url(url) in self.canonical_urls

    def conditional_headers(self, url: str) -> dict[str, str]:
        etag, last_modified = self.validators.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers


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
    for url, etag, last_modified in conn.execute(VALIDATORS_SQL, {"site": site_key}):
        known.validators[url] = (etag, last_modified)
    return known
