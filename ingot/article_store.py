"""The only writer of ``article`` and ``page_extraction``: extraction outcomes in, idempotent rows out.

An article is keyed by its canonical URL, so re-extracting a page (a rule fix, a new extractor version, a rerun)
updates the same row and keeps its id. Every outcome, article or rejection, is recorded per raw page with the
rule and extractor versions that produced it. Near-duplicate clustering (``ingot.article_clusters``, the store's
other half, called from here in the same transaction) needs the whole batch's transaction under one lock,
because extraction of several sites may run at the same time and a story syndicated across them must end in one
cluster. Taken first, the lock also makes what a batch reads exact: no other session writes an article or an
outcome until it commits, so new URLs and first outcomes can go in by COPY without a fallback. The lock is the
table ``article_store_lock`` (sql/migrations/0042) in EXCLUSIVE mode, not an advisory lock: every role may take
any advisory lock, so the analysts' read-only role could stop extraction, while only a role that may write the
table may lock it so.

Every value goes through ``storable_outcome`` first: a page's text may hold what PostgreSQL refuses (NUL, lone
surrogates, a URL too long for its index), and one such page must cost that page only. Should the database refuse
a batch anyway, on its data (SQLSTATE classes 22, 23, 54: never an outage or a full disk), the batch is saved
again page by page and a refused page is recorded as failed with the database's reason.

A batch costs a fixed handful of statements whatever its size: the lock, a look-up of which URLs are stored
and whether any of the batch's pages has an outcome already, a COPY of the new articles, an upsert of the
stored ones, and the outcomes, copied in when no page had one (a first extraction) and else upserted (the
upserts each read the batch from one JSON parameter), then clustering, which for a batch without duplicates is
one statement (the duplicate lookup). A new article is written with its own id as its cluster, which is what it
keeps unless a duplicate is found, so articles without duplicates are never rewritten after their insert.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import psycopg
from psycopg.types.json import Jsonb

from ingot.article_clusters import MIN_CLUSTER_TEXT, ChangedArticle, assign_clusters
from ingot.storable import fits_index, storable, storable_detail, storable_text

log = logging.getLogger(__name__)

# Held by each batch's transaction from its first statement: one writer of articles and outcomes at a time.
# EXCLUSIVE conflicts with itself and needs UPDATE, DELETE or TRUNCATE on the table, which the reader lacks.
STORE_LOCK = "LOCK TABLE article_store_lock IN EXCLUSIVE MODE"

# The reason of a page that could not be stored: a failure, as an extractor crash is (``ingot extract``'s
# summary and the daily report count this reason as failed).
FAILED_REASON = "extractor_error"
# SQLSTATE classes of a refusal caused by the rows written: data exceptions (22: a character, a number out of
# range), integrity constraints (23) and program limits (54: an index entry too large). Anything else (a lost
# connection, a full disk, a missing table) is the database's state, not a page's, and fails the batch.
ROW_REFUSAL_CLASSES = ("22", "23", "54")


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
# The SQL type of each article column, for reading the batch's JSON document as rows.
ARTICLE_TYPES = {
    "canonical_url": "text", "url": "text", "site_key": "text", "raw_page_id": "bigint", "title": "text",
    "text": "text", "text_sha256": "text", "fingerprint": "bigint", "authors": "text[]", "editor": "text",
    "reviewers": "jsonb", "original_source": "text", "published_at": "timestamptz", "published_raw": "text",
    "published_rule": "text", "language": "text", "paywalled": "boolean", "image_url": "text",
    "categories": "text[]", "keywords": "text[]", "rule_version": "integer", "extractor_version": "text",
}
OUTCOME_TYPES = {
    "ordinal": "integer", "raw_page_id": "bigint", "outcome": "text", "reason": "text", "detail": "text",
    "rule_version": "integer", "extractor_version": "text", "canonical_url": "text",
}

# Empty values of the columns an article dict may leave out or set to None.
ARTICLE_DEFAULTS = {"reviewers": "'{}'::jsonb", "authors": "'{}'::text[]", "categories": "'{}'::text[]",
                    "keywords": "'{}'::text[]"}

# Which of the batch's (distinct) URLs are stored already and under which ids, ids for the others, and whether
# any of the batch's pages has an outcome already. Joins from the arrays, not "= ANY(array)" filters: a cached
# generic plan, which guesses 10 elements, may read a whole table and test each row against every element.
KNOWN = """
WITH known AS (
    SELECT a.id, a.canonical_url FROM unnest(%(urls)s::text[]) AS u(url) JOIN article a ON a.canonical_url = u.url
)
SELECT coalesce((SELECT jsonb_object_agg(canonical_url, id) FROM known), '{}'),
       ARRAY(SELECT nextval('article_id_seq') FROM generate_series(1, %(count)s - (SELECT count(*) FROM known))),
       EXISTS (SELECT FROM unnest(%(pages)s::bigint[]) AS p(id) JOIN page_extraction e ON e.raw_page_id = p.id)
"""

# New articles go in by COPY, with their own id as their cluster: no document to parse, no speculative insertion,
# tuples written in batches. COPY may write the identity column; the ids come from its own sequence (named by
# 0004's CREATE TABLE). Under the store's lock, a URL KNOWN did not find cannot be taken meanwhile.
COPY_NEW_ARTICLES = f"COPY article (id, cluster_id, {', '.join(ARTICLE_COLUMNS)}) FROM STDIN"

# Outcomes of a batch whose pages have none yet (a first extraction): by COPY.
COPY_NEW_OUTCOMES = ("COPY page_extraction (raw_page_id, outcome, reason, detail, article_id, rule_version, "
                     "extractor_version) FROM STDIN")

# Stored articles come as one JSON document: a parameter, so no staging table to create, fill and empty. An
# existing row keeps id and cluster and is rewritten only when a content column changed. Should a row have been
# deleted by hand since KNOWN read it (ingot never deletes articles), it is inserted again with its own id as its
# cluster (as above; OVERRIDING only lets both columns share the value).
UPSERT_ARTICLES = f"""
INSERT INTO article (id, cluster_id, {", ".join(ARTICLE_COLUMNS)}) OVERRIDING SYSTEM VALUE
SELECT id, id, {", ".join(ARTICLE_COLUMNS)}
FROM (
    SELECT nextval('article_id_seq') AS id,
           {", ".join(f"coalesce({c}, {ARTICLE_DEFAULTS[c]}) AS {c}" if c in ARTICLE_DEFAULTS else c
                      for c in ARTICLE_COLUMNS)}
    FROM jsonb_to_recordset(%(articles)s::jsonb) AS r({", ".join(f"{c} {t}" for c, t in ARTICLE_TYPES.items())})
) numbered
ON CONFLICT (canonical_url) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in ARTICLE_COLUMNS if c != "canonical_url")},
    extracted_at = now()
WHERE ({", ".join(f"article.{c}" for c in CONTENT_COLUMNS)})
      IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in CONTENT_COLUMNS)})
RETURNING id, cluster_id, (xmax = 0) AS inserted,
          octet_length(text) >= 4 * %(min_len)s OR length(text) >= %(min_len)s AS clusterable
"""

# A separate statement after the articles' writes, so that its snapshot sees their rows. The article id is looked
# up per outcome by the unique index: a join let the planner hash the whole article table.
UPSERT_OUTCOMES = f"""
INSERT INTO page_extraction (raw_page_id, outcome, reason, detail, article_id, rule_version, extractor_version)
SELECT DISTINCT ON (o.raw_page_id) o.raw_page_id, o.outcome, o.reason, o.detail,
       (SELECT a.id FROM article a WHERE a.canonical_url = o.canonical_url), o.rule_version, o.extractor_version
FROM jsonb_to_recordset(%s::jsonb) AS o({", ".join(f"{c} {t}" for c, t in OUTCOME_TYPES.items())})
ORDER BY o.raw_page_id, o.ordinal DESC
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
    # Outcomes recorded instead of the ones given: pages the database refused, or whose values cannot be stored
    refused: list[PageOutcome] = field(default_factory=list)

    def add(self, other: SaveCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.refused += other.refused


def save_outcomes(conn: psycopg.Connection, outcomes: Iterable[PageOutcome]) -> SaveCounts:
    """Write a batch of outcomes in one transaction and re-cluster the articles that changed; should the database
    refuse a row of the batch, write it page by page and record each refused page as failed."""
    given = list(outcomes)
    outcomes = [storable_outcome(outcome) for outcome in given]
    unstorable = [cleaned for original, cleaned in zip(given, outcomes)
                  if original.article is not None and cleaned.article is None]
    try:
        counts = _save_batch(conn, outcomes)
    except (psycopg.Error, UnicodeError) as error:
        if not is_row_refusal(error):
            raise
        log.warning("the database refused a row of a batch of %d pages (%s); saving them one by one",
                    len(outcomes), _first_line(error))
        counts = SaveCounts()
        for outcome in outcomes:
            counts.add(_save_page(conn, outcome))
    counts.refused = unstorable + counts.refused
    return counts


def is_row_refusal(error: BaseException) -> bool:
    """Whether the database (or the driver, encoding a value) refused the rows written rather than failed."""
    if isinstance(error, UnicodeError):
        return True
    state = getattr(error, "sqlstate", None) or ""
    return state.startswith(ROW_REFUSAL_CLASSES)


def _save_page(conn: psycopg.Connection, outcome: PageOutcome) -> SaveCounts:
    """One page in a transaction of its own; refused, it is recorded as failed with the database's reason."""
    try:
        return _save_batch(conn, [outcome])
    except (psycopg.Error, UnicodeError) as error:
        if not is_row_refusal(error):
            raise
        log.warning("the database refused raw page %s: %s", outcome.raw_page_id, _first_line(error))
        failure = storable_outcome(replace(
            outcome, article=None, reason=FAILED_REASON,
            detail=f"not stored: the database refused the page ({type(error).__name__}): {_first_line(error)}"))
        counts = _save_batch(conn, [failure])  # a bare outcome refused too is no page's fault: it raises
        counts.refused.append(failure)
        return counts


def storable_outcome(outcome: PageOutcome) -> PageOutcome:
    """``outcome`` with every value PostgreSQL can store: the one place rows are cleaned before they are written.

    Text loses NUL and lone surrogates (``ingot.storable``). A canonical URL too long for its unique index is
    replaced by the page's URL; when that is too long as well, the page is recorded as failed, saying so."""
    detail = storable_detail(outcome.detail)
    reason = storable_text(outcome.reason)[:100] if outcome.reason is not None else None
    if outcome.article is None:
        return replace(outcome, reason=reason, detail=detail)
    article = storable(outcome.article)
    if not fits_index(article["canonical_url"]):
        if not fits_index(article.get("url")):
            return replace(outcome, article=None, reason=FAILED_REASON, detail=storable_detail(
                f"not stored: its canonical URL and URL are longer than an index entry allows "
                f"({len(article['canonical_url'].encode())} and {len(str(article.get('url')).encode())} bytes)"))
        article["canonical_url"] = article["url"]
    return replace(outcome, article=article, reason=reason, detail=detail)


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return storable_detail(lines[0] if lines else type(error).__name__)


def _save_batch(conn: psycopg.Connection, outcomes: list[PageOutcome]) -> SaveCounts:
    """The batch's writes, in one transaction (a savepoint inside a caller's): all or nothing."""
    articles = last_copies(outcomes)
    with conn.transaction():
        conn.execute(STORE_LOCK)
        known, ids, any_outcome = conn.execute(KNOWN, {
            "urls": [a["canonical_url"] for a in articles], "count": len(articles),
            "pages": [o.raw_page_id for o in outcomes],
        }, prepare=True).fetchone()
        new = [a for a in articles if a["canonical_url"] not in known]
        changed = copy_new_articles(conn, new, ids) if new else []
        if len(new) < len(articles):
            changed += upsert_articles(conn, [a for a in articles if a["canonical_url"] in known])
        if any_outcome:
            conn.execute(UPSERT_OUTCOMES, (_json([outcome_document(i, o) for i, o in enumerate(outcomes)]),),
                         prepare=True)
        else:  # a first extraction: the upsert keeps a stored article's id, so every id is known
            copy_new_outcomes(conn, outcomes, {**known, **{a["canonical_url"]: i for a, i in zip(new, ids)}})
        if changed:
            assign_clusters(conn, changed)
    new_count = sum(c.inserted for c in changed)
    return SaveCounts(new=new_count, updated=len(changed) - new_count, unchanged=len(articles) - len(changed))


def last_copies(outcomes: list[PageOutcome]) -> list[dict]:
    """The last article of each canonical URL in the batch, in the order of those last copies."""
    latest: dict[str, dict] = {}
    for outcome in outcomes:
        if outcome.article is not None:
            url = outcome.article["canonical_url"]
            latest.pop(url, None)
            latest[url] = outcome.article
    return list(latest.values())


def copy_new_articles(conn: psycopg.Connection, articles: list[dict], ids: list[int]) -> list[ChangedArticle]:
    """COPY articles whose URLs are not stored under the given ids; each is its own cluster."""
    with conn.cursor().copy(COPY_NEW_ARTICLES) as copy:
        copy.set_types(_COPY_TYPES)  # one dumper per column, not a type guess per value
        for article_id, article in zip(ids, articles):
            copy.write_row(_copy_row(article_id, article))
    return [ChangedArticle(i, i, True, len(a["text"]) >= MIN_CLUSTER_TEXT) for i, a in zip(ids, articles)]


def upsert_articles(conn: psycopg.Connection, articles: list[dict]) -> list[ChangedArticle]:
    """Upsert stored articles (one per canonical URL) on the canonical URL; the rows that changed."""
    document = _json([a if a.keys() <= _ARTICLE_KEYS else _columns_only(a) for a in articles])
    rows = conn.execute(UPSERT_ARTICLES, {"articles": document, "min_len": MIN_CLUSTER_TEXT}, prepare=True)
    return [ChangedArticle(*row) for row in rows]


def copy_new_outcomes(conn: psycopg.Connection, outcomes: list[PageOutcome], article_ids: dict[str, int]) -> None:
    """COPY the outcomes of pages that have none yet, each page's last (as UPSERT_OUTCOMES keeps); ``article_ids``
    names every article of the batch by canonical URL."""
    last = {outcome.raw_page_id: outcome for outcome in outcomes}
    with conn.cursor().copy(COPY_NEW_OUTCOMES) as copy:
        copy.set_types(("int8", "text", "text", "text", "int8", "int4", "text"))
        for o in last.values():
            article_id = None if o.article is None else article_ids[o.article["canonical_url"]]
            copy.write_row((o.raw_page_id, "rejected" if o.article is None else "article", o.reason, o.detail,
                            article_id, o.rule_version, o.extractor_version))


def _copy_row(article_id: int, article: dict) -> list:
    """The COPY row of a new article: its id twice (id and cluster), then its columns, empty lists and JSON for
    the ones it leaves out."""
    row = [article_id, article_id, *map(article.get, ARTICLE_COLUMNS)]
    for slot in _ARRAY_SLOTS:
        if type(row[slot]) is not list:
            row[slot] = list(row[slot] or ())
    row[_REVIEWERS_SLOT] = Jsonb(row[_REVIEWERS_SLOT] or {})
    return row


_ARRAY_SLOTS = tuple(2 + ARTICLE_COLUMNS.index(c) for c in ("authors", "categories", "keywords"))
_REVIEWERS_SLOT = 2 + ARTICLE_COLUMNS.index("reviewers")
_COPY_TYPES = ("int8", "int8", *(ARTICLE_TYPES[c] for c in ARTICLE_COLUMNS))
_ARTICLE_KEYS = frozenset(ARTICLE_COLUMNS)


def _columns_only(article: dict) -> dict:
    """An article without keys that are no column: they were never stored, and may not be JSON."""
    return {column: article[column] for column in ARTICLE_COLUMNS if column in article}


def outcome_document(ordinal: int, outcome: PageOutcome) -> dict:
    """What page_extraction records of an outcome; its article is named by canonical URL."""
    return {
        "ordinal": ordinal, "raw_page_id": outcome.raw_page_id,
        "outcome": "rejected" if outcome.article is None else "article",
        "reason": outcome.reason, "detail": outcome.detail, "rule_version": outcome.rule_version,
        "extractor_version": outcome.extractor_version,
        "canonical_url": None if outcome.article is None else outcome.article["canonical_url"],
    }


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_value)


def _json_value(value):
    """Timestamps in ISO 8601, which timestamptz reads back exactly (offset and microseconds kept)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"an article column cannot hold a {type(value).__name__}")
