"""The only writer of ``article`` and ``page_extraction``: extraction outcomes in, idempotent rows out.

An article is keyed by its canonical URL, so re-extracting a page (a rule fix, a new extractor version, a rerun)
updates the same row and keeps its id. Every outcome, article or rejection, is recorded per raw page with the
rule and extractor versions that produced it. Near-duplicate clustering runs under one advisory lock, because
extraction of several sites may run at the same time and a story syndicated across them must end in one cluster.

A batch costs a fixed handful of statements whatever its size: one COPY of every outcome into a session-long
staging table, one upsert of the articles, one upsert of the outcomes, then the clustering statements, of which
a batch without duplicates needs only two (the lock and the duplicate lookup). A new article is written with its
own id as its cluster, which is what it keeps unless a duplicate is found, so articles without duplicates are
never rewritten after their insert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb


# Fingerprints that differ in at most this many of their 64 bits are the same story. Five is what the
# 6-band indexes of migration 0041 find without a scan (two such fingerprints always share a band).
NEAR_DUPLICATE_BITS = 5
# Teasers and stubs share boilerplate more than content: too short to cluster by text.
MIN_CLUSTER_TEXT = 80
CLUSTER_WINDOW_DAYS = 45
CLUSTER_LOCK_ID = 0x696E676F7401
# Duplicates read per changed article. Copies are clustered as they arrive, so the duplicates of a new copy
# already share one cluster and the first few name it; reading them all would make a flood of copies (a
# template republished daily, a wire story on hundreds of sites) cost quadratic time. The one thing the cap
# can miss is a second, separate cluster that only this article links and whose members all come after the
# first MAX_DUPLICATES_READ matches.
MAX_DUPLICATES_READ = 64


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
# The outcome's own columns in the staging table, before the article's (NULL for a rejection).
OUTCOME_COLUMNS = ("ordinal", "page_id", "outcome", "reason", "detail", "page_rule_version", "page_extractor_version")

# One staging table per session, emptied by every commit (ON COMMIT DELETE ROWS truncates it in place): creating
# and dropping a table per batch cost catalog writes and a file each time. The DELETE empties it when a caller
# saves several batches inside one transaction of its own, where no commit comes between them.
STAGE_OUTCOMES = f"""
CREATE TEMP TABLE IF NOT EXISTS ingot_incoming_page ON COMMIT DELETE ROWS AS
SELECT 0 AS ordinal, e.raw_page_id AS page_id, e.outcome, e.reason, e.detail, e.rule_version AS page_rule_version,
       e.extractor_version AS page_extractor_version, {", ".join(f"a.{c}" for c in ARTICLE_COLUMNS)}
FROM page_extraction e, article a
WITH NO DATA;
DELETE FROM ingot_incoming_page
"""

COPY_OUTCOMES = f"COPY ingot_incoming_page ({', '.join(OUTCOME_COLUMNS + ARTICLE_COLUMNS)}) FROM STDIN"

# The last copy of each URL in the batch, inserted in batch order. A new row takes its own id as its cluster:
# ids come from the identity column's own sequence (named by 0004's CREATE TABLE), so OVERRIDING only lets both
# columns share the value. An existing row keeps id and cluster and is rewritten only when a content column
# changed.
UPSERT_ARTICLES = f"""
INSERT INTO article (id, cluster_id, {", ".join(ARTICLE_COLUMNS)}) OVERRIDING SYSTEM VALUE
SELECT id, id, {", ".join(ARTICLE_COLUMNS)}
FROM (
    SELECT nextval('article_id_seq') AS id, latest.*
    FROM (
        SELECT * FROM (
            SELECT DISTINCT ON (canonical_url) *
            FROM ingot_incoming_page WHERE outcome = 'article'
            ORDER BY canonical_url, ordinal DESC
        ) last_copy
        ORDER BY ordinal
    ) latest
) numbered
ON CONFLICT (canonical_url) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in ARTICLE_COLUMNS if c != "canonical_url")},
    extracted_at = now()
WHERE ({", ".join(f"article.{c}" for c in CONTENT_COLUMNS)})
      IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in CONTENT_COLUMNS)})
RETURNING id, cluster_id, (xmax = 0) AS inserted,
          octet_length(text) >= 4 * %(min_len)s OR length(text) >= %(min_len)s AS clusterable
"""

# A separate statement after the upsert, so that its snapshot sees every article row, including one another
# session inserted (and committed) while the upsert waited on it.
UPSERT_OUTCOMES = """
INSERT INTO page_extraction (raw_page_id, outcome, reason, detail, article_id, rule_version, extractor_version)
SELECT DISTINCT ON (i.page_id) i.page_id, i.outcome, i.reason, i.detail, a.id, i.page_rule_version,
       i.page_extractor_version
FROM ingot_incoming_page i
LEFT JOIN article a ON a.canonical_url = i.canonical_url
ORDER BY i.page_id, i.ordinal DESC
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


@dataclass(frozen=True)
class ChangedArticle:
    """An article row the batch inserted or rewrote, as the upsert returned it."""

    id: int
    cluster_id: int | None
    inserted: bool
    clusterable: bool


def save_outcomes(conn: psycopg.Connection, outcomes: Iterable[PageOutcome]) -> SaveCounts:
    """Write a batch of outcomes in one transaction and re-cluster the articles that changed."""
    outcomes = list(outcomes)
    with conn.transaction():
        stage_outcomes(conn, outcomes)
        changed = upsert_articles(conn)
        conn.execute(UPSERT_OUTCOMES)
        if changed:
            assign_clusters(conn, changed)
    urls = {o.article["canonical_url"] for o in outcomes if o.article is not None}
    new = sum(c.inserted for c in changed)
    return SaveCounts(new=new, updated=len(changed) - new, unchanged=len(urls) - len(changed))


def stage_outcomes(conn: psycopg.Connection, outcomes: list[PageOutcome]) -> None:
    """COPY every outcome, with its article's columns when it has one, into the session's staging table."""
    conn.execute(STAGE_OUTCOMES)
    with conn.cursor().copy(COPY_OUTCOMES) as copy:
        for ordinal, outcome in enumerate(outcomes):
            copy.write_row(staged_row(ordinal, outcome))


def staged_row(ordinal: int, outcome: PageOutcome) -> list:
    """One staging row: the outcome's columns, then the article's (all NULL for a rejection)."""
    row = [ordinal, outcome.raw_page_id, "rejected" if outcome.article is None else "article", outcome.reason,
           outcome.detail, outcome.rule_version, outcome.extractor_version]
    if outcome.article is None:
        return row + [None] * len(ARTICLE_COLUMNS)
    return row + [convert(outcome.article.get(column)) for column, convert in _CONVERTERS]


def upsert_articles(conn: psycopg.Connection) -> list[ChangedArticle]:
    """Upsert the staged articles on the canonical URL (the last copy in the batch wins); the rows that changed."""
    return [ChangedArticle(*row) for row in conn.execute(UPSERT_ARTICLES, {"min_len": MIN_CLUSTER_TEXT})]


def _as_is(value):
    return value


def _as_list(value):
    return list(value or [])


def _as_json(value):
    return Jsonb(value or {})


_CONVERTERS = tuple(
    (c, _as_json if c == "reviewers" else _as_list if c in ("authors", "categories", "keywords") else _as_is)
    for c in ARTICLE_COLUMNS
)


def assign_clusters(conn: psycopg.Connection, changed: list[ChangedArticle]) -> None:
    """Put each changed article in the cluster of its exact or near duplicates, then re-mark canonicals.

    A cluster's id is the smallest article id in it; its canonical article is the earliest published (else
    the first seen). Merging clusters keeps the smallest id. Runs under a lock shared by every extraction, so
    two sites extracted at once cannot each start a cluster for the same story.
    """
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CLUSTER_LOCK_ID,))
    clusterable = [c.id for c in changed if c.clusterable]
    links = conn.execute(DUPLICATE_CLUSTERS, {
        "ids": clusterable, "bits": NEAR_DUPLICATE_BITS, "days": CLUSTER_WINDOW_DAYS, "min_len": MIN_CLUSTER_TEXT,
        "most": MAX_DUPLICATES_READ,
    }).fetchall() if clusterable else []
    moves, unclustered, touched = cluster_changes(changed, links)
    if moves:
        conn.execute(MOVE_CLUSTERS, (list(moves), list(moves.values())))
    if unclustered:
        conn.execute(CLUSTER_UNCLUSTERED, (list(unclustered), list(unclustered.values())))
    if touched:
        conn.execute(MARK_CANONICALS, (touched,))


def cluster_changes(changed: list[ChangedArticle], links: list[tuple[int, int, bool]]
                    ) -> tuple[dict[int, int], dict[int, int], list[int]]:
    """What clustering must write: clusters to move (old id → new id), unclustered articles to give a cluster
    (article id → cluster id), and the clusters whose canonical article must be re-marked.

    The graph's nodes are the changed articles and the clusters (or, for an article never clustered, the
    article) they belong to or duplicate; each connected part becomes one cluster named by its smallest id,
    which is always a member's id because a cluster is named by its smallest member. ``links`` rows are
    (changed article id, cluster id or else article id of a duplicate, whether that duplicate is unclustered).
    """
    edges = [(c.id, c.id if c.cluster_id is None else c.cluster_id) for c in changed]
    edges += [(article_id, key) for article_id, key, _ in links]
    groups = connected_groups([c.id for c in changed], edges)
    target = {node: min(group) for group in groups for node in group}
    clusters = {c.cluster_id for c in changed if c.cluster_id is not None}
    clusters |= {key for _, key, is_unclustered in links if not is_unclustered}
    unclustered_ids = {c.id for c in changed if c.cluster_id is None}
    unclustered_ids |= {key for _, key, is_unclustered in links if is_unclustered}
    moves = {c: target[c] for c in sorted(clusters) if target[c] != c}
    unclustered = {i: target[i] for i in sorted(unclustered_ids)}
    lone_new = {c.id for c in changed if c.inserted and c.cluster_id == c.id}
    touched = sorted({min(group) for group in groups if not (len(group) == 1 and group <= lone_new)})
    return moves, unclustered, touched


def connected_groups(ids: list[int], pairs: list[tuple[int, int]]) -> list[set[int]]:
    """Connected components of ``ids`` and the nodes ``pairs`` link them to (union-find)."""
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


# The 0041 indexes, one per band of the 64-bit fingerprint: (shift, mask) of each band's value.
BANDS = ((0, 2047), (11, 2047), (22, 2047), (33, 2047), (44, 1023), (54, 1023))
EVENT_AT = "coalesce({t}.published_at, {t}.first_seen_at)"
WINDOW = (f"{EVENT_AT.format(t='a')} BETWEEN {EVENT_AT.format(t='n')} - make_interval(days => %(days)s)"
          f" AND {EVENT_AT.format(t='n')} + make_interval(days => %(days)s)")


def _band(table: str, band: int) -> str:
    shift, mask = BANDS[band]
    return f"(({table}.fingerprint >> {shift}) & {mask})"


# Candidates of one changed article: the same text, then each band in turn (without the articles an earlier
# branch returned), each an index range over the time window; the LIMIT stops the scans after enough
# duplicates. The text length is checked last and through octet_length first, because the text is stored
# compressed and length() decompresses it: four bytes per character at most, so a text of 4 * MIN_CLUSTER_TEXT
# bytes is long enough without counting.
_CANDIDATES = "\n        UNION ALL\n".join(
    [f"SELECT a.id, a.cluster_id, a.text, a.text_sha256, a.fingerprint FROM article a\n"
     f"        WHERE a.text_sha256 = n.text_sha256 AND {WINDOW}"]
    + [f"SELECT a.id, a.cluster_id, a.text, a.text_sha256, a.fingerprint FROM article a\n"
       f"        WHERE {_band('a', b)} = {_band('n', b)} AND {WINDOW}\n"
       f"          AND a.text_sha256 <> n.text_sha256"
       + "".join(f" AND {_band('a', e)} <> {_band('n', e)}" for e in range(b))
       for b in range(len(BANDS))]
)

# One row per (changed article, cluster it duplicates, whether that duplicate was never clustered).
DUPLICATE_CLUSTERS = f"""
SELECT DISTINCT n.id, d.cluster_key, d.unclustered
FROM article n
CROSS JOIN LATERAL (
    SELECT coalesce(a.cluster_id, a.id) AS cluster_key, a.cluster_id IS NULL AS unclustered
    FROM (
        {_CANDIDATES}
    ) a
    WHERE a.id <> n.id
      AND (a.text_sha256 = n.text_sha256 OR bit_count((a.fingerprint # n.fingerprint)::bit(64)) <= %(bits)s)
      AND (octet_length(a.text) >= 4 * %(min_len)s OR length(a.text) >= %(min_len)s)
    LIMIT %(most)s
) d
WHERE n.id = ANY(%(ids)s)
"""

MOVE_CLUSTERS = """
UPDATE article a SET cluster_id = m.target
FROM unnest(%s::bigint[], %s::bigint[]) AS m(old, target)
WHERE a.cluster_id = m.old
"""

CLUSTER_UNCLUSTERED = """
UPDATE article a SET cluster_id = m.target
FROM unnest(%s::bigint[], %s::bigint[]) AS m(id, target)
WHERE a.id = m.id AND a.cluster_id IS NULL
"""

# Each touched cluster's canonical copy is the earliest of its copies marked canonical now and of the others,
# each the first row of its part of the cluster index; only the copies whose mark flips are read and written.
MARK_CANONICALS = """
WITH best AS (
    SELECT t.cluster_id, b.id
    FROM unnest(%s::bigint[]) AS t(cluster_id)
    CROSS JOIN LATERAL (
        SELECT id FROM (
            (SELECT id, published_at, first_seen_at FROM article
             WHERE cluster_id = t.cluster_id AND is_canonical
             ORDER BY published_at NULLS LAST, first_seen_at, id LIMIT 1)
            UNION ALL
            (SELECT id, published_at, first_seen_at FROM article
             WHERE cluster_id = t.cluster_id AND NOT is_canonical
             ORDER BY published_at NULLS LAST, first_seen_at, id LIMIT 1)
        ) firsts
        ORDER BY published_at NULLS LAST, first_seen_at, id LIMIT 1
    ) b
),
flips AS (
    SELECT a.id, false AS canonical
    FROM best JOIN article a ON a.cluster_id = best.cluster_id AND a.is_canonical AND a.id <> best.id
    UNION ALL
    SELECT a.id, true
    FROM best JOIN article a ON a.id = best.id AND NOT a.is_canonical
)
UPDATE article a SET is_canonical = flips.canonical
FROM flips
WHERE a.id = flips.id
"""
