"""Raw page retention: delete stored responses that have served their purpose, never one still needed.

Deleted once older than the retention period (``INGOT_RAW_RETENTION_DAYS``, counted from ``fetched_at``):

* an article page whose recorded extraction outcome is an article that is still stored: the article keeps every
  extracted field (its ``raw_page_id`` becomes NULL) and the crawler still knows its URL from the article table;
* a list, feed, sitemap or other discovery page, except the newest fetch of each URL (its ETag and Last-Modified
  make the next crawl's conditional GET, and its body is what a 304 answer is read from).

Kept whatever their age:

* a page not extracted yet, or whose outcome is not recorded: extraction has not had its say;
* a rejected page (``page_extraction.outcome = 'rejected'``): it is what a rule fix is tested on and what may
  become an article after one, and it keeps the crawler from fetching the URL again. ``include_rejected``
  deletes them too, once the period has passed (for a database that must shrink).

Rule fixes re-extract from raw pages, so a page deleted here can no longer be re-extracted: choose the period
longer than the time it takes to notice a broken rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

DELETE_BATCH = 5000

EXTRACTED_ARTICLE_PAGES = """
SELECT rp.id FROM raw_page rp
JOIN page_extraction pe ON pe.raw_page_id = rp.id AND pe.outcome = 'article'
JOIN article a ON a.id = pe.article_id
WHERE rp.kind = 'article' AND rp.fetched_at < %(cutoff)s
"""

REJECTED_PAGES = """
SELECT rp.id FROM raw_page rp
JOIN page_extraction pe ON pe.raw_page_id = rp.id AND pe.outcome = 'rejected'
WHERE rp.kind = 'article' AND rp.fetched_at < %(cutoff)s
"""

OLD_DISCOVERY_PAGES = """
SELECT rp.id FROM raw_page rp
WHERE rp.kind <> 'article' AND rp.fetched_at < %(cutoff)s
  AND EXISTS (SELECT 1 FROM raw_page newer
              WHERE newer.site_key = rp.site_key AND newer.url = rp.url AND newer.kind = rp.kind
                AND (newer.fetched_at, newer.id) > (rp.fetched_at, rp.id))
"""

SELECTIONS = {"article_pages": EXTRACTED_ARTICLE_PAGES, "rejected_pages": REJECTED_PAGES,
              "discovery_pages": OLD_DISCOVERY_PAGES}
# statements built from the constant selections above once, at import; values are always parameters
DELETE_BATCH_SQL = {name: f"DELETE FROM raw_page WHERE id IN ({query} LIMIT %(limit)s) RETURNING body_size"
                    for name, query in SELECTIONS.items()}
COUNT_SQL = {name: f"SELECT count(*), coalesce(sum(body_size), 0) FROM raw_page WHERE id IN ({query})"
             for name, query in SELECTIONS.items()}


@dataclass
class RetentionSummary:
    cutoff: datetime
    article_pages: int = 0
    rejected_pages: int = 0
    discovery_pages: int = 0
    body_bytes: int = 0
    dry_run: bool = False

    def line(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        return (f"raw pages fetched before {self.cutoff:%Y-%m-%d %H:%M %Z}: {verb} {self.article_pages} extracted "
                f"article pages, {self.rejected_pages} rejected pages, {self.discovery_pages} older list/feed/sitemap "
                f"pages ({self.body_bytes / 1e6:.1f} MB of bodies)")


def delete_expired_raw_pages(conn: psycopg.Connection, days: int, *, now: datetime,
                             include_rejected: bool = False, dry_run: bool = False) -> RetentionSummary:
    """Delete (or, with ``dry_run``, count) the raw pages the policy above lets go, in batches of their own
    transactions, so that a long clean-up never holds locks on the crawler's table for long."""
    if days < 1:
        raise ValueError("the retention period is at least one day")
    summary = RetentionSummary(now - timedelta(days=days), dry_run=dry_run)
    params = {"cutoff": summary.cutoff, "limit": DELETE_BATCH}
    for name in SELECTIONS:
        if name == "rejected_pages" and not include_rejected:
            continue
        if dry_run:
            count, size = conn.execute(COUNT_SQL[name], params).fetchone()
            setattr(summary, name, count)
            summary.body_bytes += size
            continue
        while True:
            with conn.transaction():
                sizes = [row[0] for row in conn.execute(DELETE_BATCH_SQL[name], params)]
            if not sizes:
                break
            setattr(summary, name, getattr(summary, name) + len(sizes))
            summary.body_bytes += sum(sizes)
    return summary
