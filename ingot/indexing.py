"""The only writer of ``article_index``: search documents and topic tags for extracted articles.

Runs after extraction (the daily DAG calls ``index_articles``; operators run ``ingot index``). An article is
(re)indexed when it has no index row, when its text was re-extracted since (article.extracted_at differs from the
one indexed), or when the vocabulary file or the document layout changed. Work goes in batches by article id,
one transaction each, so memory stays flat and an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from ingot.database import connect
from ingot.search import fold_accents, search_parts, stemming_config, tsvector_literal
from ingot.topics import Vocabulary, load_vocabulary, topics_for

log = logging.getLogger(__name__)

# Bump when the search document layout changes (n-grams, configs, weights): every article is then re-indexed.
# 2: accents folded, words in capitals kept (sql/migrations/0070); site, language and dates beside the document.
INDEX_FORMAT = 2
BATCH_SIZE = 500

SELECT_STALE = """
SELECT a.id, a.title, a.text, a.language, a.extracted_at
FROM article a
LEFT JOIN article_index i ON i.article_id = a.id
WHERE a.id > %(after)s
  AND (%(reindex)s OR i.article_id IS NULL
       OR i.article_extracted_at IS DISTINCT FROM a.extracted_at
       OR i.vocabulary_version <> %(version)s OR i.index_format <> %(format)s)
  AND (%(site)s::text IS NULL OR a.site_key = %(site)s)
  AND (%(since)s::date IS NULL OR (coalesce(a.published_at, a.first_seen_at)
       AT TIME ZONE (SELECT s.timezone FROM site s WHERE s.key = a.site_key))::date >= %(since)s)
ORDER BY a.id
LIMIT %(limit)s
"""

# INSERT ... SELECT FROM article: an article deleted since it was read is skipped instead of failing the batch.
# The site, language and dates are copied from the article as it is now, for search to filter and order by; the
# document also holds its month (month_lexeme), through which search finds the newest matches first.
UPSERT_INDEX = """
INSERT INTO article_index (article_id, search_document, topics, vocabulary_version, index_format,
                           article_extracted_at, indexed_at, site_key, language, published_at, news_day)
SELECT a.id,
       setweight(%(title_ngrams)s::tsvector
                 || latin_document(%(config)s::regconfig, %(title_latin)s, %(title_folded)s), 'A')
         || %(text_ngrams)s::tsvector || latin_document(%(config)s::regconfig, %(text_latin)s, %(text_folded)s)
         || month_lexeme((a.published_at AT TIME ZONE s.timezone)::date),
       %(topics)s, %(version)s, %(format)s, %(extracted_at)s, now(),
       a.site_key, a.language, a.published_at, (a.published_at AT TIME ZONE s.timezone)::date
FROM article a JOIN site s ON s.key = a.site_key WHERE a.id = %(id)s
ON CONFLICT (article_id) DO UPDATE SET
    search_document = EXCLUDED.search_document, topics = EXCLUDED.topics,
    vocabulary_version = EXCLUDED.vocabulary_version, index_format = EXCLUDED.index_format,
    article_extracted_at = EXCLUDED.article_extracted_at, indexed_at = EXCLUDED.indexed_at,
    site_key = EXCLUDED.site_key, language = EXCLUDED.language, published_at = EXCLUDED.published_at,
    news_day = EXCLUDED.news_day
"""


def index_row(article_id: int, title: str, text: str, language: str | None, extracted_at, vocabulary: Vocabulary):
    """Parameters of UPSERT_INDEX for one article (pure)."""
    title_parts, text_parts = search_parts(title), search_parts(text)
    return {
        "id": article_id,
        "title_ngrams": tsvector_literal(title_parts.ngrams),
        "title_latin": title_parts.latin,
        "title_folded": fold_accents(title_parts.latin),
        "text_ngrams": tsvector_literal(text_parts.ngrams),
        "text_latin": text_parts.latin,
        "text_folded": fold_accents(text_parts.latin),
        "config": stemming_config(language),
        "topics": topics_for(text, title, language, vocabulary),
        "version": vocabulary.version,
        "format": INDEX_FORMAT,
        "extracted_at": extracted_at,
    }


def index_articles(
    db_url: str,
    *,
    site_key: str | None = None,
    since: datetime.date | None = None,
    vocabulary_path: Path | None = None,
    reindex: bool = False,
) -> int:
    """Index the articles that need it (all matching ones with ``reindex``); returns how many were indexed."""
    vocabulary = load_vocabulary(vocabulary_path)
    params = {"reindex": reindex, "version": vocabulary.version, "format": INDEX_FORMAT, "site": site_key,
              "since": since, "limit": BATCH_SIZE, "after": 0}
    indexed = 0
    with connect(db_url) as conn:
        while True:
            with conn.transaction():
                rows = conn.execute(SELECT_STALE, params).fetchall()
                if not rows:
                    break
                with conn.cursor() as cur:
                    cur.executemany(UPSERT_INDEX, [index_row(*row, vocabulary) for row in rows])
            indexed += len(rows)
            params["after"] = rows[-1][0]
            log.info("indexed %d articles (up to id %d)", indexed, params["after"])
    return indexed
