"""The only writer of ``article`` and ``page_extraction``: extraction outcomes in, idempotent rows out.

An article is keyed by its canonical URL, so re-extracting a page (a rule fix, a new extractor version, a rerun)
updates the same row and keeps its id. Every outcome, article or rejection, is recorded per raw page with the
rule and extractor versions that produced it. Near-duplicate clustering runs under one advisory lock, because
extraction of several sites may run at the same time and a story syndicated across them must end in one cluster.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb


# Fingerprints that differ in at most this many of their 64 bits are the same story. Five is what the
# 6-band index of migration 0040 finds without a scan (two such fingerprints always share a band).
NEAR_DUPLICATE_BITS = 5
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

STAGE_ARTICLES = f"""
CREATE TEMP TABLE incoming_article ON COMMIT DROP AS
SELECT 0 AS ordinal, {", ".join(ARTICLE_COLUMNS)} FROM article WITH NO DATA
"""

COPY_INCOMING = f"COPY incoming_article (ordinal, {', '.join(ARTICLE_COLUMNS)}) FROM STDIN"

UPSERT_ARTICLES = f"""
INSERT INTO article ({", ".join(ARTICLE_COLUMNS)})
SELECT {", ".join(ARTICLE_COLUMNS)}
FROM (SELECT DISTINCT ON (canonical_url) * FROM incoming_article ORDER BY canonical_url, ordinal DESC) latest
ORDER BY ordinal
ON CONFLICT (canonical_url) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in ARTICLE_COLUMNS if c != "canonical_url")},
    extracted_at = now()
WHERE ({", ".join(f"article.{c}" for c in CONTENT_COLUMNS)})
      IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in CONTENT_COLUMNS)})
RETURNING canonical_url, id, (xmax = 0) AS inserted
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
    outcomes = list(outcomes)
    articles = [o.article for o in outcomes if o.article is not None]
    with conn.transaction():
        ids, counts, changed = upsert_articles(conn, articles) if articles else ({}, SaveCounts(), [])
        with conn.cursor() as cursor:
            cursor.executemany(UPSERT_OUTCOME, [
                (o.raw_page_id, "rejected" if o.article is None else "article", o.reason, o.detail,
                 None if o.article is None else ids[o.article["canonical_url"]], o.rule_version,
                 o.extractor_version)
                for o in outcomes
            ])
        if changed:
            assign_clusters(conn, changed)
    return counts


def upsert_articles(conn: psycopg.Connection, articles: list[dict]) -> tuple[dict[str, int], SaveCounts, list[int]]:
    """Upsert on the canonical URL (the last copy in the batch wins); ids by URL, counts, ids that changed."""
    conn.execute(STAGE_ARTICLES)
    with conn.cursor().copy(COPY_INCOMING) as copy:
        for ordinal, article in enumerate(articles):
            copy.write_row([ordinal, *(_column_value(article, c) for c in ARTICLE_COLUMNS)])
    counts = SaveCounts()
    ids: dict[str, int] = {}
    changed: list[int] = []
    for url, article_id, inserted in conn.execute(UPSERT_ARTICLES):
        ids[url] = article_id
        changed.append(article_id)
        if inserted:
            counts.new += 1
        else:
            counts.updated += 1
    rest = list({a["canonical_url"] for a in articles} - ids.keys())
    if rest:
        ids.update(conn.execute("SELECT canonical_url, id FROM article WHERE canonical_url = ANY(%s)", (rest,)))
        counts.unchanged = len(rest)
    return ids, counts, changed


def _column_value(article: dict, column: str):
    value = article.get(column)
    if column == "reviewers":
        return Jsonb(value or {})
    if column in ("authors", "categories", "keywords"):
        return list(value or [])
    return value


def assign_clusters(conn: psycopg.Connection, article_ids: list[int]) -> None:
    """Put each changed article in the cluster of its exact or near duplicates, then re-mark canonicals.

    A cluster's id is the smallest article id in it; its canonical article is the earliest published (else
    the first seen). Merging clusters keeps the smallest id. Runs under a lock shared by every extraction, so
    two sites extracted at once cannot each start a cluster for the same story.
    """
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CLUSTER_LOCK_ID,))
    pairs = conn.execute(DUPLICATE_PAIRS, {
        "ids": article_ids, "bits": NEAR_DUPLICATE_BITS, "days": CLUSTER_WINDOW_DAYS, "min_len": MIN_CLUSTER_TEXT,
    }).fetchall()
    groups = connected_groups(article_ids, pairs)
    members = sorted({i for group in groups for i in group})
    current = dict(conn.execute("SELECT id, cluster_id FROM article WHERE id = ANY(%s)", (members,)).fetchall())
    targets: dict[int, int] = {}
    merged: dict[int, int] = {}
    for group in groups:
        clusters = {current[i] for i in group if current.get(i) is not None}
        target = min(clusters | group)
        targets.update((i, target) for i in group)
        merged.update((c, target) for c in clusters if c != target)
    conn.execute(
        "UPDATE article a SET cluster_id = m.target "
        "FROM unnest(%s::bigint[], %s::bigint[]) AS m(id, target) "
        "WHERE a.id = m.id AND a.cluster_id IS DISTINCT FROM m.target",
        (list(targets), list(targets.values())),
    )
    if merged:  # whole clusters joined to another: move their other members too
        conn.execute(
            "UPDATE article a SET cluster_id = m.target "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS m(old, target) WHERE a.cluster_id = m.old",
            (list(merged), list(merged.values())),
        )
    touched = sorted(set(targets.values()) | set(merged))
    conn.execute(MARK_CANONICALS, (touched,))


def connected_groups(ids: list[int], pairs: list[tuple[int, int]]) -> list[set[int]]:
    """Connected components of ``ids`` and the articles ``pairs`` link them to (union-find)."""
    parent: dict[int, int] = {i: i for i in ids}

    def root(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, set[int]] = {}
    for i in list(parent):
        groups.setdefault(root(i), set()).add(i)
    return list(groups.values())


# Candidate pairs come from the exact-hash index or the fingerprint-band index; the bit count confirms them.
DUPLICATE_PAIRS = """
SELECT n.id, a.id
FROM article n
JOIN article a
  ON a.id <> n.id
 AND (a.text_sha256 = n.text_sha256
      OR (a.fingerprint_bands && n.fingerprint_bands
          AND bit_count((a.fingerprint # n.fingerprint)::bit(64)) <= %(bits)s))
 AND coalesce(a.published_at, a.first_seen_at)
     BETWEEN coalesce(n.published_at, n.first_seen_at) - make_interval(days => %(days)s)
         AND coalesce(n.published_at, n.first_seen_at) + make_interval(days => %(days)s)
 AND length(a.text) >= %(min_len)s
WHERE n.id = ANY(%(ids)s) AND length(n.text) >= %(min_len)s
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
