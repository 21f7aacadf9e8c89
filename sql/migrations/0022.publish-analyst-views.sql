-- The analysts' contract: three published views, documented column by column, readable by ingot_reader.
-- Tables behind them may change; these names and columns only grow.

-- `articles` keeps every column of 0005 in place (CREATE OR REPLACE can only append); cluster_id now falls
-- back to the article's own id, so every copy names a row of `stories`. Tags and the site's time zone come from
-- scalar subqueries, not joins, so the view keeps one FROM item: a write through it then fails on privileges
-- (as for every published view) instead of on updatability.
CREATE OR REPLACE VIEW articles AS
SELECT a.id,
       a.site_key        AS site,
       a.url,
       a.canonical_url,
       a.title,
       a.authors,
       a.editor,
       a.original_source AS source,
       a.published_at,
       a.language,
       a.text,
       a.paywalled,
       coalesce(a.cluster_id, a.id) AS cluster_id,
       a.is_canonical,
       a.first_seen_at,
       (SELECT i.topics FROM article_index i WHERE i.article_id = a.id) AS tags,
       (coalesce(a.published_at, a.first_seen_at)
            AT TIME ZONE (SELECT s.timezone FROM site s WHERE s.key = a.site_key))::date AS news_day,
       a.published_raw,
       a.categories,
       a.keywords,
       a.image_url,
       a.extracted_at
FROM article a;

COMMENT ON VIEW articles IS 'One row per story copy: a clean article as one site published it. Duplicates across '
    'sites are kept, grouped by cluster_id; exactly one copy per cluster is canonical.';
COMMENT ON COLUMN articles.id IS 'Article id (stable across re-extraction of the same canonical URL).';
COMMENT ON COLUMN articles.site IS 'Key of the site that published this copy (as in `ingot sites`).';
COMMENT ON COLUMN articles.url IS 'URL the article was fetched from.';
COMMENT ON COLUMN articles.canonical_url IS 'Canonical URL (rel=canonical, tracking parameters dropped); unique.';
COMMENT ON COLUMN articles.title IS 'Headline as published.';
COMMENT ON COLUMN articles.authors IS 'Authors as credited by the page, in order; empty when none is credited.';
COMMENT ON COLUMN articles.editor IS 'Responsible editor when the page names one (common on Chinese sites).';
COMMENT ON COLUMN articles.source IS 'Original source credited by the page (来源), when the copy is syndicated.';
COMMENT ON COLUMN articles.published_at IS 'Publication time (timestamptz, shown in your session time zone); '
    'NULL when the page gives none.';
COMMENT ON COLUMN articles.language IS 'BCP-47 language of the body text: zh-Hans, zh-Hant, fr, en, th, ...';
COMMENT ON COLUMN articles.text IS 'Clean body text, paragraphs separated by newlines; boilerplate removed.';
COMMENT ON COLUMN articles.paywalled IS 'True when the site showed only a teaser; text is then that teaser.';
COMMENT ON COLUMN articles.cluster_id IS 'Story this copy belongs to (= stories.cluster_id): the smallest article '
    'id among its exact and near duplicates; an article not clustered yet is its own story.';
COMMENT ON COLUMN articles.is_canonical IS 'True for the one copy that represents the story: the earliest '
    'published, else the first seen. Filter on it to count stories, not copies.';
COMMENT ON COLUMN articles.first_seen_at IS 'When ingot first stored this article.';
COMMENT ON COLUMN articles.tags IS 'Topic tags (commodities and themes) from vocabulary/topics.yaml; NULL until '
    'the article is indexed (`ingot index`, run daily after extraction).';
COMMENT ON COLUMN articles.news_day IS 'Calendar day of publication (else of first sighting) in the site''s own '
    'time zone: the day to filter and group by.';
COMMENT ON COLUMN articles.published_raw IS 'Publication date exactly as written on the page.';
COMMENT ON COLUMN articles.categories IS 'Section or category labels given by the site.';
COMMENT ON COLUMN articles.keywords IS 'Keywords given by the site.';
COMMENT ON COLUMN articles.image_url IS 'Lead image URL, when any.';
COMMENT ON COLUMN articles.extracted_at IS 'When this text was last extracted (changes when a rule fix changes it).';

CREATE VIEW stories AS
WITH copy AS (
    SELECT a.id, coalesce(a.cluster_id, a.id) AS cluster_id, a.site_key, a.is_canonical, a.published_at,
           a.first_seen_at
    FROM article a
), canonical AS (
    SELECT DISTINCT ON (cluster_id) cluster_id, id
    FROM copy
    ORDER BY cluster_id, is_canonical DESC, coalesce(published_at, first_seen_at), id
), carried AS (
    SELECT cluster_id,
           array_agg(DISTINCT site_key ORDER BY site_key) AS sites,
           count(DISTINCT site_key)::integer             AS site_count,
           count(*)::integer                             AS copies,
           array_agg(id ORDER BY id)                     AS article_ids,
           min(published_at)                             AS first_published_at,
           min(first_seen_at)                            AS first_seen_at
    FROM copy
    GROUP BY cluster_id
)
SELECT c.cluster_id,
       v.id         AS canonical_id,
       v.site,
       v.title,
       v.url,
       v.language,
       v.published_at,
       v.news_day,
       v.tags,
       r.sites,
       r.site_count,
       r.copies,
       r.article_ids,
       r.first_published_at,
       r.first_seen_at
FROM canonical c
JOIN carried r USING (cluster_id)
JOIN articles v ON v.id = c.id;

COMMENT ON VIEW stories IS 'One row per story (duplicate cluster): its canonical copy and every site that carried it.';
COMMENT ON COLUMN stories.cluster_id IS 'Story id (= articles.cluster_id).';
COMMENT ON COLUMN stories.canonical_id IS 'articles.id of the canonical copy.';
COMMENT ON COLUMN stories.site IS 'Site of the canonical copy.';
COMMENT ON COLUMN stories.title IS 'Title of the canonical copy.';
COMMENT ON COLUMN stories.url IS 'URL of the canonical copy.';
COMMENT ON COLUMN stories.language IS 'Language of the canonical copy.';
COMMENT ON COLUMN stories.published_at IS 'Publication time of the canonical copy.';
COMMENT ON COLUMN stories.news_day IS 'news_day of the canonical copy (its site''s time zone).';
COMMENT ON COLUMN stories.tags IS 'Topic tags of the canonical copy (NULL until indexed).';
COMMENT ON COLUMN stories.sites IS 'Keys of every site that carried the story, sorted.';
COMMENT ON COLUMN stories.site_count IS 'Number of distinct sites that carried the story.';
COMMENT ON COLUMN stories.copies IS 'Number of copies (articles) in the story; can exceed site_count.';
COMMENT ON COLUMN stories.article_ids IS 'articles.id of every copy, ascending.';
COMMENT ON COLUMN stories.first_published_at IS 'Earliest publication time among the copies.';
COMMENT ON COLUMN stories.first_seen_at IS 'When ingot first stored any copy.';

CREATE VIEW daily_site_stats AS
SELECT r.site_key AS site,
       r.news_day,
       r.status   AS crawl_status,
       r.started_at,
       r.finished_at,
       p.pages_fetched,
       p.pages_failed,
       p.articles,
       p.new_articles,
       p.rejected,
       coalesce(j.rejected_by_reason, '{}'::jsonb) AS rejected_by_reason,
       p.pages_pending,
       r.stats    AS crawl_stats,
       r.error    AS crawl_error
FROM crawl_run r
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE rp.kind = 'article')::integer AS pages_fetched,
           count(*) FILTER (WHERE rp.kind = 'article' AND rp.http_status >= 400)::integer AS pages_failed,
           count(*) FILTER (WHERE pe.outcome = 'article')::integer AS articles,
           count(*) FILTER (WHERE pe.outcome = 'article' AND NOT EXISTS (
               SELECT 1 FROM raw_page older
               WHERE older.site_key = rp.site_key AND older.canonical_url = rp.canonical_url
                 AND older.crawl_run_id <> rp.crawl_run_id AND older.fetched_at < rp.fetched_at
           ))::integer AS new_articles,
           count(*) FILTER (WHERE pe.outcome = 'rejected')::integer AS rejected,
           count(*) FILTER (WHERE rp.kind = 'article' AND rp.http_status < 400
                            AND pe.raw_page_id IS NULL)::integer AS pages_pending
    FROM raw_page rp
    LEFT JOIN page_extraction pe ON pe.raw_page_id = rp.id
    WHERE rp.crawl_run_id = r.id
) p
LEFT JOIN LATERAL (
    SELECT jsonb_object_agg(x.reason, x.n) AS rejected_by_reason
    FROM (
        SELECT pe.reason, count(*) AS n
        FROM raw_page rp
        JOIN page_extraction pe ON pe.raw_page_id = rp.id
        WHERE rp.crawl_run_id = r.id AND pe.outcome = 'rejected'
        GROUP BY pe.reason
    ) x
) j ON true;

COMMENT ON VIEW daily_site_stats IS 'One row per site and news day crawled: what the crawl found and what extraction '
    'made of it. Page counts come from stored raw pages, so days older than the raw-page retention '
    '(INGOT_RAW_RETENTION_DAYS) keep only crawl_stats.';
COMMENT ON COLUMN daily_site_stats.site IS 'Site key.';
COMMENT ON COLUMN daily_site_stats.news_day IS 'News day the crawl covered (INGOT_NEWS_TIMEZONE).';
COMMENT ON COLUMN daily_site_stats.crawl_status IS 'running, succeeded, partial or failed.';
COMMENT ON COLUMN daily_site_stats.started_at IS 'When the crawl started.';
COMMENT ON COLUMN daily_site_stats.finished_at IS 'When the crawl finished (NULL while running).';
COMMENT ON COLUMN daily_site_stats.pages_fetched IS 'Article pages found and fetched.';
COMMENT ON COLUMN daily_site_stats.pages_failed IS 'Article pages that answered with HTTP status 400 or above.';
COMMENT ON COLUMN daily_site_stats.articles IS 'Pages extracted into an article.';
COMMENT ON COLUMN daily_site_stats.new_articles IS 'Of those, articles whose URL no earlier crawl of the site fetched.';
COMMENT ON COLUMN daily_site_stats.rejected IS 'Pages extraction rejected (see rejected_by_reason).';
COMMENT ON COLUMN daily_site_stats.rejected_by_reason IS 'Rejected pages per reason, e.g. {"not_article": 3}.';
COMMENT ON COLUMN daily_site_stats.pages_pending IS 'Article pages fetched but not extracted yet.';
COMMENT ON COLUMN daily_site_stats.crawl_stats IS 'The crawler''s own statistics (requests, responses by status, '
    'bytes, errors, duration) as it recorded them.';
COMMENT ON COLUMN daily_site_stats.crawl_error IS 'Why the crawl failed or was partial, when it did.';

GRANT SELECT ON articles, stories, daily_site_stats TO ingot_reader;
