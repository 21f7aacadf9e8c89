-- What search filters and orders by, beside each search document, and the stories' counts kept up to date.
--
-- article_index gains the article's site, language, publication time and news day (written by ingot.indexing
-- with the document, rewritten whenever the article is re-extracted), and each document holds its month as one
-- more lexeme ('@2026-06'; no query word can produce it: the parser drops '@'), so that the GIN index alone
-- finds the matches of a month: search examines only the newest matches of a query (search_articles'
-- max_candidates) and finds them month by month, reading a few thousand rows even for a word in every other
-- article. news_day is the publication day in the site's time zone, NULL for an undated article.
ALTER TABLE article_index
    ADD COLUMN site_key     text,
    ADD COLUMN language     text,
    ADD COLUMN published_at timestamptz,
    ADD COLUMN news_day     date;

CREATE FUNCTION month_lexeme(day date) RETURNS tsvector
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, public AS $fn$
SELECT CASE WHEN day IS NULL THEN ''::tsvector ELSE quote_lexeme('@' || to_char(day, 'YYYY-MM'))::tsvector END
$fn$;

COMMENT ON FUNCTION month_lexeme(date) IS 'The lexeme of a news day''s month in search documents: ''@2026-06''.';

UPDATE article_index i
SET site_key = a.site_key, language = a.language, published_at = a.published_at,
    news_day = (a.published_at AT TIME ZONE s.timezone)::date,
    search_document = i.search_document || month_lexeme((a.published_at AT TIME ZONE s.timezone)::date)
FROM article a
JOIN site s ON s.key = a.site_key
WHERE a.id = i.article_id;

CREATE INDEX article_index_newest_idx
    ON article_index (news_day DESC NULLS LAST, published_at DESC NULLS LAST, article_id DESC);

COMMENT ON COLUMN article_index.news_day IS 'publication day in the site''s time zone (NULL when undated)';

-- One row per story (duplicate cluster): its canonical copy and who carried it. Written by the article store's
-- clustering (ingot.article_clusters) in the transaction that changes the clusters, so reading a story costs one
-- row, however many copies it has. Clusters only ever merge: a merged story's counts are the sums of its parts.
CREATE TABLE story (
    cluster_id         bigint      PRIMARY KEY,
    canonical_id       bigint      NOT NULL,
    copies             integer     NOT NULL CHECK (copies > 0),
    sites              text[]      NOT NULL,
    first_published_at timestamptz,
    first_seen_at      timestamptz NOT NULL
);

COMMENT ON TABLE story IS 'Per story: canonical copy, copies and sites; written by ingot.article_clusters only.';

-- Recompute every story from the articles: for rows written outside the article store (tests, repairs).
CREATE FUNCTION rebuild_stories() RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $fn$
DECLARE
    written integer;
BEGIN
    DELETE FROM story;
    INSERT INTO story (cluster_id, canonical_id, copies, sites, first_published_at, first_seen_at)
    SELECT c.cluster_id,
           (array_agg(c.id ORDER BY c.is_canonical DESC, c.published_at NULLS LAST, c.first_seen_at, c.id))[1],
           count(*), array_agg(DISTINCT c.site_key ORDER BY c.site_key), min(c.published_at), min(c.first_seen_at)
    FROM (SELECT coalesce(a.cluster_id, a.id) AS cluster_id, a.id, a.is_canonical, a.published_at, a.first_seen_at,
                 a.site_key
          FROM article a) c
    GROUP BY c.cluster_id;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$fn$;

SELECT rebuild_stories();

-- A crawl run's new articles are the pages whose canonical URL no earlier fetch of the site had: one index range
-- per page instead of every fetch of that URL.
CREATE INDEX raw_page_site_canonical_fetched_idx ON raw_page (site_key, canonical_url, fetched_at);
DROP INDEX raw_page_site_canonical_idx;
