"""The only writer of ``article`` and ``page_extraction``: extraction outcomes in, idempotent rows out.

An article is keyed by its canonical URL, so re-extracting a page (a rule fix, a new extractor version, a rerun)
updates the same row and keeps its id. Every outcome, article or rejection, is recorded per raw page with the
rule and extractor versions that produced it. Near-duplicate clustering runs under one advisory lock, because
extraction of several sites may run at the same time and a story syndicated across them must end in one cluster.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

from extract.dedupe import NEAR_DUPLICATE_SIMILARITY

# Articles whose SimHash fingerprints differ in at most this many of their 64 bits are the same story.
NEAR_DUPLICATE_BITS = round((1 - NEAR_DUPLICATE_SIMILARITY) * 64)
# Teasers and stubs share boilerplate more than content: too short to cluster by text.
MIN_CLUSTER_TEXT = 80
CLUSTER_WINDOW_DAYS = 45
CLUSTER_LOCK_ID = 0x696E676F7401


@dataclass(frozen=True)
class PageOutcome:
    """What extraction made of one raw page: ``article`` (a dict of article columns) or a rejection."""

    raw_page_id: int
    site_key: str
    rule_version: int
    extractor_version: str
    article: dict | None = None
    reason: str | None = None
    detail: str | None = None


ARTICLE_COLUMNS = (
    "canonical_url", "url", "site_key", "raw_page_id", "title", "text", "text_sha256", "fingerprint", "authors",
    "editor", "reviewers", "original_source", "published_at", "published_raw", "published_rule", "language",
    "paywalled", "image_url", "categories", "keywords", "rule_version", "extractor_version",
)
# Columns whose change makes a re-extraction an update; raw_page_id alone (a re-fetch of the same text) is not.
CONTENT_COLUMNS = tuple(c for c in ARTICLE_COLUMNS if c not in ("canonical_url", "raw_page_id"))

UPSERT_ARTICLE = f"""
INSERT INTO article ({", ".join(ARTICLE_COLUMNS)})
VALUES ({", ".join(f"%({c})s" for c in ARTICLE_COLUMNS)})
ON CONFLICT (canonical_url) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in ARTICLE_COLUMNS if c != "canonical_url")},
    extracted_at = now()
WHERE ({", ".join(f"article.{c}" for c in CONTENT_COLUMNS)})
      IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in CONTENT_COLUMNS)})
RETURNING id, (xmax = 0) AS inserted
"""

UPSERT_OUTCOME = """
INSERT INTO page_extraction (raw_page_id, outcome, reason, detail, article_id, rule_version, extractor_version)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (raw_page_id) DO UPDATE SET
    outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, detail = EXCLUDED.detail,
    article_id = EXCLUDED.article_id, rule_version = EXCLUDED.rule_version,
    extractor_version = EXCLUDED.extractor_version, extracted_at = now()
"""


@dataclass
class SaveCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


def save_outcomes(conn: psycopg.Connection, outcomes: Iterable[PageOutcome]) -> SaveCounts:
    """Write a batch of outcomes in one transaction and re-cluster the articles that changed."""
    counts = SaveCounts()
    changed: list[int] = []
    with conn.transaction():
        for outcome in outcomes:
            article_id = None
            if outcome.article is not None:
                article_id, state = upsert_article(conn, outcome.article)
                setattr(counts, state, getattr(counts, state) + 1)
                if state != "unchanged":
                    changed.append(article_id)
            conn.execute(
                UPSERT_OUTCOME,
                (
                    outcome.raw_page_id,
                    "article" if outcome.article is not None else "rejected",
                    outcome.reason,
                    outcome.detail,
                    article_id,
                    outcome.rule_version,
                    outcome.extractor_version,
                ),
            )
        if changed:
            assign_clusters(conn, changed)
    return counts


def upsert_article(conn: psycopg.Connection, article: dict) -> tuple[int, str]:
    row = {**article, "reviewers": json.dumps(article.get("reviewers") or {}, ensure_ascii=False)}
    returned = conn.execute(UPSERT_ARTICLE, row).fetchone()
    if returned is not None:
        return returned[0], "new" if returned[1] else "updated"
    existing = conn.execute("SELECT id FROM article WHERE canonical_url = %s", (article["canonical_url"],)).fetchone()
    return existing[0], "unchanged"


def assign_clusters(conn: psycopg.Connection, article_ids: list[int]) -> None:
    """Put each changed article in the cluster of its exact or near duplicates, then re-mark canonicals.

    A cluster's id is the smallest article id in it; its canonical article is the earliest published (else
    the first seen). Merging two existing clusters keeps the smaller id.
    """
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CLUSTER_LOCK_ID,))
    touched: set[int] = set()
    for article_id in sorted(article_ids):
        row = conn.execute(
            "SELECT text_sha256, fingerprint, length(text), coalesce(published_at, first_seen_at), cluster_id "
            "FROM article WHERE id = %s",
            (article_id,),
        ).fetchone()
        sha, fingerprint, length, when, old_cluster = row
        members = {article_id}
        if length >= MIN_CLUSTER_TEXT:
            members |= {r[0] for r in conn.execute(NEAR_DUPLICATES, {
                "id": article_id, "sha": sha, "fp": fingerprint, "bits": NEAR_DUPLICATE_BITS,
                "when": when, "days": CLUSTER_WINDOW_DAYS, "min_len": MIN_CLUSTER_TEXT,
            })}
        clusters = {r[0] for r in conn.execute(
            "SELECT DISTINCT cluster_id FROM article WHERE id = ANY(%s) AND cluster_id IS NOT NULL", (list(members),)
        )}
        target = min(clusters | members)
        conn.execute(
            "UPDATE article SET cluster_id = %s WHERE (id = ANY(%s) OR cluster_id = ANY(%s)) "
            "AND cluster_id IS DISTINCT FROM %s",
            (target, list(members), list(clusters), target),
        )
        touched |= {target} | ({old_cluster} if old_cluster is not None else set())
    conn.execute(MARK_CANONICALS, (list(touched),))


NEAR_DUPLICATES = """
SELECT id FROM article
WHERE id <> %(id)s
  AND length(text) >= %(min_len)s
  AND coalesce(published_at, first_seen_at) BETWEEN %(when)s - make_interval(days => %(days)s)
                                                AND %(when)s + make_interval(days => %(days)s)
  AND (text_sha256 = %(sha)s
       OR (%(fp)s::bigint IS NOT NULL AND fingerprint IS NOT NULL
           AND bit_count((fingerprint # %(fp)s::bigint)::bit(64)) <= %(bits)s))
"""

MARK_CANONICALS = """
WITH canonical AS (
    SELECT DISTINCT ON (cluster_id) cluster_id, id
    FROM article
    WHERE cluster_id = ANY(%s)
    ORDER BY cluster_id, published_at NULLS LAST, first_seen_at, id
)
UPDATE article a
SET is_canonical = (a.id = canonical.id)
FROM canonical
WHERE a.cluster_id = canonical.cluster_id
  AND a.is_canonical IS DISTINCT FROM (a.id = canonical.id)
"""
