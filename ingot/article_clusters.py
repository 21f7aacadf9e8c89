"""Duplicate clusters of the article store: which stored articles tell the same story.

Part of the article store, called only by its ``save_outcomes`` inside the batch's transaction (the store stays
the one writer of ``article``). An article's duplicates are its exact copies (same normalised-text hash, which
folds Traditional Chinese to Simplified) and its near copies (SimHash fingerprints within NEAR_DUPLICATE_BITS
bits) published within CLUSTER_WINDOW_DAYS of it. A text shorter than MIN_CLUSTER_TEXT has exact copies only, and
only under the same headline: short stubs ("subscribe to read") are shared by unrelated articles.
Clustering is also the one writer of ``story``, each cluster's counts (copies, sites) and canonical copy: kept
as clusters change, so that reading a story never counts its copies again.
"""

from __future__ import annotations

from typing import NamedTuple

import psycopg

# Fingerprints that differ in at most this many of their 64 bits are the same story. Five is what the
# 6-band indexes of migration 0041 find without a scan (two such fingerprints always share a band).
NEAR_DUPLICATE_BITS = 5
# Teasers and stubs share boilerplate more than content: too short to cluster by fingerprint (identical short
# texts still cluster when their headlines are identical too; migration 0073 indexes that case).
MIN_CLUSTER_TEXT = 80
SHORT_TEXT_BYTES = 4 * MIN_CLUSTER_TEXT  # = the predicate of 0073's index: every text shorter has fewer bytes
CLUSTER_WINDOW_DAYS = 45
# Duplicates read per changed article. Copies are clustered as they arrive, so the duplicates of a new copy
# already share one cluster and the first few name it; reading them all would make a flood of copies (a
# template republished daily, a wire story on hundreds of sites) cost quadratic time. The one thing the cap
# can miss is a second, separate cluster that only this article links and whose members all come after the
# first MAX_DUPLICATES_READ matches.
MAX_DUPLICATES_READ = 64


class ChangedArticle(NamedTuple):
    """An article row the batch inserted or rewrote: what clustering needs to know of it."""

    id: int
    cluster_id: int | None
    inserted: bool
    clusterable: bool


def assign_clusters(conn: psycopg.Connection, changed: list[ChangedArticle]) -> None:
    """Put each changed article in the cluster of its exact or near duplicates, then re-mark canonicals.

    A cluster's id is the smallest article id in it; its canonical article is the earliest published (else
    the first seen). Merging clusters keeps the smallest id. The caller holds the store's lock (shared by every
    extraction) since before it wrote the articles, so two sites extracted at once cannot each start a cluster
    for the same story.
    """
    links = conn.execute(DUPLICATE_CLUSTERS, {
        "ids": [c.id for c in changed], "bits": NEAR_DUPLICATE_BITS, "days": CLUSTER_WINDOW_DAYS,
        "min_len": MIN_CLUSTER_TEXT, "most": MAX_DUPLICATES_READ,
    }, prepare=True).fetchall()
    moves, unclustered, touched = cluster_changes(changed, links)
    inserted = [c.id for c in changed if c.inserted]
    if inserted:
        conn.execute(NEW_STORIES, {"ids": inserted}, prepare=True)
    if touched:
        conn.execute(REGROUP, {"old": list(moves), "target": list(moves.values()), "unclustered": list(unclustered),
                               "unclustered_target": list(unclustered.values()), "touched": touched})
        parts = story_parts(moves, unclustered, touched)
        conn.execute(MERGE_STORIES, {"parts": [p for p, _ in parts], "targets": [t for _, t in parts]})


def cluster_changes(changed: list[ChangedArticle], links: list[tuple[int, int, bool]]
                    ) -> tuple[dict[int, int], dict[int, int], list[int]]:
    """What clustering must write: clusters to move (old id → new id), unclustered articles to give a cluster
    (article id → cluster id), and the clusters whose canonical article must be re-marked.

    The graph's nodes are the changed articles and the clusters (or, for an article never clustered, the
    article) they belong to or duplicate; each connected part becomes one cluster named by its smallest id,
    which is always a member's id because a cluster is named by its smallest member. ``links`` rows are
    (changed article id, cluster id or else article id of a duplicate, whether that duplicate is unclustered).
    """
    linked = {article_id for article_id, _, _ in links}
    # a new article with no duplicate is already right: its own cluster, canonical by default
    changed = [c for c in changed if c.id in linked or not (c.inserted and c.cluster_id == c.id)]
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
    return moves, unclustered, sorted({min(group) for group in groups})


def story_parts(moves: dict[int, int], unclustered: dict[int, int], touched: list[int]) -> list[tuple[int, int]]:
    """(story, cluster it becomes part of) for every story that clustering merged or whose canonical copy it
    re-marked: the clusters that moved, the articles that were never clustered, and each touched cluster itself."""
    parts = dict(moves) | dict(unclustered) | {cluster: cluster for cluster in touched}
    return sorted(parts.items())


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


# Whether an article's text is long enough to cluster by fingerprint. The text length is read through
# octet_length first, because the text is stored compressed and length() decompresses it (that was most of this
# lookup's time): four bytes per character at most, so a text of 4 * MIN_CLUSTER_TEXT bytes is long enough without
# counting.
_LONG = "(octet_length({t}.text) >= 4 * %(min_len)s OR length({t}.text) >= %(min_len)s)"
# One key for the text and the headline (folded to Simplified as the text hash is): no other index can serve it.
_SHORT_COPY_KEY = "({t}.text_sha256 || ':' || md5(fold_chinese({t}.title)))"

# Candidates of one changed article: for a short text, its exact copies under the same headline (0073's index);
# for a long one, the same text, then each band in turn (without the articles an earlier branch returned), each an
# index range over the time window; the LIMIT stops the scans after enough duplicates. Each branch is gated by the
# changed article's own length, so only one kind runs.
_CANDIDATES = "\n        UNION ALL\n".join(
    [f"SELECT a.id, a.cluster_id, a.text, a.text_sha256, a.fingerprint FROM article a\n"
     f"        WHERE NOT {_LONG.format(t='n')} AND octet_length(a.text) < {SHORT_TEXT_BYTES}\n"
     f"          AND {_SHORT_COPY_KEY.format(t='a')} = {_SHORT_COPY_KEY.format(t='n')} AND {WINDOW}",
     f"SELECT a.id, a.cluster_id, a.text, a.text_sha256, a.fingerprint FROM article a\n"
     f"        WHERE {_LONG.format(t='n')} AND a.text_sha256 = n.text_sha256 AND {WINDOW}"]
    + [f"SELECT a.id, a.cluster_id, a.text, a.text_sha256, a.fingerprint FROM article a\n"
       f"        WHERE {_LONG.format(t='n')} AND {_band('a', b)} = {_band('n', b)} AND {WINDOW}\n"
       f"          AND a.text_sha256 <> n.text_sha256"
       + "".join(f" AND {_band('a', e)} <> {_band('n', e)}" for e in range(b))
       for b in range(len(BANDS))]
)

# One row per (changed article, cluster it duplicates, whether that duplicate was never clustered). The changed
# articles are joined from the array of their ids (as the store's KNOWN does) so that no plan filters the table.
DUPLICATE_CLUSTERS = f"""
SELECT DISTINCT n.id, d.cluster_key, d.unclustered
FROM unnest(%(ids)s::bigint[]) AS c(id)
JOIN article n ON n.id = c.id
CROSS JOIN LATERAL (
    SELECT coalesce(a.cluster_id, a.id) AS cluster_key, a.cluster_id IS NULL AS unclustered
    FROM (
        {_CANDIDATES}
    ) a
    WHERE a.id <> n.id
      AND (a.text_sha256 = n.text_sha256 OR bit_count((a.fingerprint # n.fingerprint)::bit(64)) <= %(bits)s)
      AND ({_LONG.format(t='a')} OR NOT {_LONG.format(t='n')})
    LIMIT %(most)s
) d
"""

# All clustering writes in one statement, so that an article moving cluster and losing its canonical mark (every
# new copy of a known story) is rewritten once. ``joining``: the articles whose cluster changes (whole clusters
# moving into another, and articles never clustered), with their new cluster. Each touched cluster's canonical
# copy is the earliest of the articles joining it and of its own members, the latter read as the first row of
# each part (marked canonical or not) of the cluster index; of the members staying put, only those whose mark
# flips are read and written.
REGROUP = """
WITH joining AS (
    SELECT a.id, m.target AS cluster_id, a.published_at, a.first_seen_at
    FROM unnest(%(old)s::bigint[], %(target)s::bigint[]) AS m(old, target)
    JOIN article a ON a.cluster_id = m.old
    UNION ALL
    SELECT a.id, u.target, a.published_at, a.first_seen_at
    FROM unnest(%(unclustered)s::bigint[], %(unclustered_target)s::bigint[]) AS u(id, target)
    JOIN article a ON a.id = u.id AND a.cluster_id IS NULL
),
candidate AS (
    SELECT t.cluster_id, f.id, f.published_at, f.first_seen_at
    FROM unnest(%(touched)s::bigint[]) AS t(cluster_id)
    CROSS JOIN LATERAL (
        (SELECT id, published_at, first_seen_at FROM article
         WHERE cluster_id = t.cluster_id AND is_canonical
         ORDER BY published_at NULLS LAST, first_seen_at, id LIMIT 1)
        UNION ALL
        (SELECT id, published_at, first_seen_at FROM article
         WHERE cluster_id = t.cluster_id AND NOT is_canonical
         ORDER BY published_at NULLS LAST, first_seen_at, id LIMIT 1)
    ) f
    UNION ALL
    SELECT cluster_id, id, published_at, first_seen_at FROM joining
),
best AS (
    SELECT DISTINCT ON (cluster_id) cluster_id, id
    FROM candidate
    ORDER BY cluster_id, published_at NULLS LAST, first_seen_at, id
),
change AS (
    SELECT j.id, j.cluster_id, j.id = best.id AS canonical FROM joining j JOIN best USING (cluster_id)
    UNION ALL
    SELECT a.id, a.cluster_id, false
    FROM best JOIN article a ON a.cluster_id = best.cluster_id AND a.is_canonical AND a.id <> best.id
    UNION ALL
    SELECT a.id, a.cluster_id, true
    FROM best JOIN article a ON a.id = best.id AND a.cluster_id = best.cluster_id AND NOT a.is_canonical
)
UPDATE article a SET cluster_id = change.cluster_id, is_canonical = change.canonical
FROM change
WHERE a.id = change.id
  AND (a.cluster_id IS DISTINCT FROM change.cluster_id OR a.is_canonical <> change.canonical)
"""


# A new article is its own story until a duplicate merges it into another.
NEW_STORIES = """
INSERT INTO story (cluster_id, canonical_id, copies, sites, first_published_at, first_seen_at)
SELECT a.id, a.id, 1, ARRAY[a.site_key], a.published_at, a.first_seen_at
FROM unnest(%(ids)s::bigint[]) AS n(id)
JOIN article a ON a.id = n.id
ON CONFLICT (cluster_id) DO NOTHING
"""

# After REGROUP: each touched cluster's story becomes the sum of the stories merged into it (clusters only merge,
# so no copy is ever counted twice or lost), and names the copy REGROUP marked canonical. Reads one story row per
# part and one index entry per cluster, never the copies.
MERGE_STORIES = """
WITH part AS (
    SELECT m.target, s.cluster_id, s.copies, s.sites, s.first_seen_at
    FROM unnest(%(parts)s::bigint[], %(targets)s::bigint[]) AS m(part, target)
    JOIN story s ON s.cluster_id = m.part
), merged AS (
    DELETE FROM story s USING part p WHERE s.cluster_id = p.cluster_id AND p.cluster_id <> p.target
)
INSERT INTO story (cluster_id, canonical_id, copies, sites, first_published_at, first_seen_at)
SELECT p.target, c.id, sum(p.copies),
       ARRAY(SELECT DISTINCT site FROM part q CROSS JOIN LATERAL unnest(q.sites) AS site
             WHERE q.target = p.target ORDER BY site),
       c.published_at, min(p.first_seen_at)
FROM part p
CROSS JOIN LATERAL (
    SELECT a.id, a.published_at FROM article a
    WHERE a.cluster_id = p.target AND a.is_canonical
    ORDER BY a.published_at NULLS LAST, a.first_seen_at, a.id
    LIMIT 1
) c
GROUP BY p.target, c.id, c.published_at
ON CONFLICT (cluster_id) DO UPDATE SET
    canonical_id = EXCLUDED.canonical_id, copies = EXCLUDED.copies, sites = EXCLUDED.sites,
    first_published_at = EXCLUDED.first_published_at, first_seen_at = EXCLUDED.first_seen_at
"""
