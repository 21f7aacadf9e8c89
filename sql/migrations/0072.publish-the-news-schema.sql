-- The analysts' schema: `news` holds everything published (views and the search function) and nothing else, so
-- a BI tool connected with the reader login lists only these. The role ingot_reader may use `news` and no longer
-- sees `public` at all (tables, helpers); the SECURITY DEFINER search function reads the tables as their owner.
-- Names and columns here are the contract: they only grow (tests/analysts/test_views.py pins them).

CREATE SCHEMA news;
COMMENT ON SCHEMA news IS 'Published views and functions for analysts: articles, stories, sites, daily_site_stats, '
    'quality_checks, search_articles().';
GRANT USAGE ON SCHEMA news TO ingot_reader;

DROP FUNCTION search_articles(text, date, text, integer);
DROP VIEW stories;
DROP VIEW daily_site_stats;
DROP VIEW quality_checks;
DROP VIEW articles;
REVOKE USAGE ON SCHEMA public FROM ingot_reader;
REVOKE USAGE ON SCHEMA public FROM PUBLIC;

-- One FROM item (tags and time zone as scalar subqueries): a write through the view fails on privileges.
-- news_day is the publication day; an undated article has none (it is never the day ingot stored it).
CREATE VIEW news.articles AS
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
       (a.published_at AT TIME ZONE (SELECT s.timezone FROM site s WHERE s.key = a.site_key))::date AS news_day,
       a.published_raw,
       a.categories,
       a.keywords,
       a.image_url,
       a.extracted_at
FROM article a;

COMMENT ON VIEW news.articles IS 'One row per story copy: a clean article as one site published it. Duplicates '
    'across sites are kept, grouped by cluster_id; exactly one copy per cluster is canonical.';
COMMENT ON COLUMN news.articles.id IS 'Article id (stable across re-extraction of the same canonical URL).';
COMMENT ON COLUMN news.articles.site IS 'Key of the site that published this copy (as in `ingot sites`).';
COMMENT ON COLUMN news.articles.url IS 'URL the article was fetched from.';
COMMENT ON COLUMN news.articles.canonical_url IS 'Canonical URL (rel=canonical, tracking parameters dropped); unique.';
COMMENT ON COLUMN news.articles.title IS 'Headline as published.';
COMMENT ON COLUMN news.articles.authors IS 'Authors as credited by the page, in order; empty when none is credited.';
COMMENT ON COLUMN news.articles.editor IS 'Responsible editor when the page names one (common on Chinese sites).';
COMMENT ON COLUMN news.articles.source IS 'Original source credited by the page (来源), when the copy is syndicated.';
COMMENT ON COLUMN news.articles.published_at IS 'Publication time (timestamptz, shown in your session time zone); '
    'NULL when the page gives none.';
COMMENT ON COLUMN news.articles.language IS 'BCP-47 language of the body text: zh-Hans, zh-Hant, fr, en, th, ...';
COMMENT ON COLUMN news.articles.text IS 'Clean body text, paragraphs separated by newlines; boilerplate removed.';
COMMENT ON COLUMN news.articles.paywalled IS 'True when the site showed only a teaser; text is then that teaser.';
COMMENT ON COLUMN news.articles.cluster_id IS 'Story this copy belongs to (= stories.cluster_id): the smallest article '
    'id among its exact and near duplicates; an article not clustered yet is its own story.';
COMMENT ON COLUMN news.articles.is_canonical IS 'True for the one copy that represents the story: the earliest '
    'published, else the first seen. Filter on it to count stories, not copies.';
COMMENT ON COLUMN news.articles.first_seen_at IS 'When ingot first stored this article.';
COMMENT ON COLUMN news.articles.tags IS 'Topic tags (commodities and themes) from vocabulary/topics.yaml; NULL until '
    'the article is indexed (`ingot index`, run daily after extraction).';
COMMENT ON COLUMN news.articles.news_day IS 'Calendar day of publication in the site''s own time zone: the day to '
    'filter and group by. NULL when neither the page nor the listing or feed that linked it gave a date.';
COMMENT ON COLUMN news.articles.published_raw IS 'Publication date exactly as written on the page.';
COMMENT ON COLUMN news.articles.categories IS 'Section or category labels given by the site.';
COMMENT ON COLUMN news.articles.keywords IS 'Keywords given by the site.';
COMMENT ON COLUMN news.articles.image_url IS 'Lead image URL, when any.';
COMMENT ON COLUMN news.articles.extracted_at IS 'When this text was last extracted (changes when a rule fix changes it).';

-- Counts come from the story table the article store keeps (one row read per story, however many copies).
CREATE VIEW news.stories AS
SELECT s.cluster_id,
       s.canonical_id,
       v.site,
       v.title,
       v.url,
       v.language,
       v.published_at,
       v.news_day,
       v.tags,
       s.sites,
       cardinality(s.sites) AS site_count,
       s.copies,
       ARRAY(SELECT a.id FROM article a
             WHERE a.cluster_id = s.cluster_id OR (a.id = s.cluster_id AND a.cluster_id IS NULL)
             ORDER BY a.id) AS article_ids,
       s.first_published_at,
       s.first_seen_at,
       v.canonical_url
FROM story s
JOIN news.articles v ON v.id = s.canonical_id;

COMMENT ON VIEW news.stories IS 'One row per story (duplicate cluster): its canonical copy and every site that '
    'carried it.';
COMMENT ON COLUMN news.stories.cluster_id IS 'Story id (= articles.cluster_id).';
COMMENT ON COLUMN news.stories.canonical_id IS 'articles.id of the canonical copy.';
COMMENT ON COLUMN news.stories.site IS 'Site of the canonical copy.';
COMMENT ON COLUMN news.stories.title IS 'Title of the canonical copy.';
COMMENT ON COLUMN news.stories.url IS 'URL the canonical copy was fetched from (canonical_url names the article).';
COMMENT ON COLUMN news.stories.language IS 'Language of the canonical copy.';
COMMENT ON COLUMN news.stories.published_at IS 'Publication time of the canonical copy.';
COMMENT ON COLUMN news.stories.news_day IS 'news_day of the canonical copy (its site''s time zone; NULL if undated).';
COMMENT ON COLUMN news.stories.tags IS 'Topic tags of the canonical copy (NULL until indexed).';
COMMENT ON COLUMN news.stories.sites IS 'Keys of every site that carried the story, sorted.';
COMMENT ON COLUMN news.stories.site_count IS 'Number of distinct sites that carried the story.';
COMMENT ON COLUMN news.stories.copies IS 'Number of copies (articles) in the story; can exceed site_count.';
COMMENT ON COLUMN news.stories.article_ids IS 'articles.id of every copy, ascending.';
COMMENT ON COLUMN news.stories.first_published_at IS 'Earliest publication time among the copies.';
COMMENT ON COLUMN news.stories.first_seen_at IS 'When ingot first stored any copy.';
COMMENT ON COLUMN news.stories.canonical_url IS 'Canonical URL of the canonical copy: the address to cite.';

CREATE VIEW news.sites AS
SELECT s.key AS site,
       s.name,
       s.base_url,
       s.languages,
       s.timezone,
       s.enabled,
       s.rule_version,
       s.updated_at,
       r.news_day AS last_crawl_day,
       r.status   AS last_crawl_status
FROM site s
LEFT JOIN LATERAL (
    SELECT c.news_day, c.status FROM crawl_run c WHERE c.site_key = s.key ORDER BY c.news_day DESC LIMIT 1
) r ON true;

COMMENT ON VIEW news.sites IS 'One row per configured news site (sites/*.yaml), with its latest crawl.';
COMMENT ON COLUMN news.sites.site IS 'Site key, as in articles.site and `ingot sites`.';
COMMENT ON COLUMN news.sites.name IS 'The publisher''s name.';
COMMENT ON COLUMN news.sites.base_url IS 'Home page of the site.';
COMMENT ON COLUMN news.sites.languages IS 'Languages the site publishes in (BCP-47).';
COMMENT ON COLUMN news.sites.timezone IS 'The site''s time zone: its articles'' news_day is a day of this calendar.';
COMMENT ON COLUMN news.sites.enabled IS 'False when the site is configured but not crawled.';
COMMENT ON COLUMN news.sites.rule_version IS 'Version of the site''s extraction rules (bumped when they change).';
COMMENT ON COLUMN news.sites.updated_at IS 'When the site''s configuration was last loaded.';
COMMENT ON COLUMN news.sites.last_crawl_day IS 'Latest news day crawled (NULL if never).';
COMMENT ON COLUMN news.sites.last_crawl_status IS 'Outcome of that crawl: running, succeeded, partial or failed.';

CREATE VIEW news.daily_site_stats AS
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

COMMENT ON VIEW news.daily_site_stats IS 'One row per site and news day crawled: what the crawl found and what extraction '
    'made of it. Page counts come from stored raw pages, so days older than the raw-page retention '
    '(INGOT_RAW_RETENTION_DAYS) keep only crawl_stats.';
COMMENT ON COLUMN news.daily_site_stats.site IS 'Site key.';
COMMENT ON COLUMN news.daily_site_stats.news_day IS 'News day the crawl covered (INGOT_NEWS_TIMEZONE).';
COMMENT ON COLUMN news.daily_site_stats.crawl_status IS 'running, succeeded, partial or failed.';
COMMENT ON COLUMN news.daily_site_stats.started_at IS 'When the crawl started.';
COMMENT ON COLUMN news.daily_site_stats.finished_at IS 'When the crawl finished (NULL while running).';
COMMENT ON COLUMN news.daily_site_stats.pages_fetched IS 'Article pages found and fetched.';
COMMENT ON COLUMN news.daily_site_stats.pages_failed IS 'Article pages that answered with HTTP status 400 or above.';
COMMENT ON COLUMN news.daily_site_stats.articles IS 'Pages extracted into an article.';
COMMENT ON COLUMN news.daily_site_stats.new_articles IS 'Of those, articles whose URL no earlier crawl of the site fetched.';
COMMENT ON COLUMN news.daily_site_stats.rejected IS 'Pages extraction rejected (see rejected_by_reason).';
COMMENT ON COLUMN news.daily_site_stats.rejected_by_reason IS 'Rejected pages per reason, e.g. {"not_article": 3}.';
COMMENT ON COLUMN news.daily_site_stats.pages_pending IS 'Article pages fetched but not extracted yet.';
COMMENT ON COLUMN news.daily_site_stats.crawl_stats IS 'The crawler''s own statistics (requests, responses by status, '
    'bytes, errors, duration) as it recorded them.';
COMMENT ON COLUMN news.daily_site_stats.crawl_error IS 'Why the crawl failed or was partial, when it did.';

CREATE VIEW news.quality_checks AS
SELECT site_key AS site, news_day, metric, value, baseline, status, message, checked_at
FROM quality_check;

COMMENT ON VIEW news.quality_checks IS 'The daily quality checks per site, news day and metric (ingot.quality): '
    'what the report showed, kept for trends.';
COMMENT ON COLUMN news.quality_checks.site IS 'Site key.';
COMMENT ON COLUMN news.quality_checks.news_day IS 'News day checked (INGOT_NEWS_TIMEZONE).';
COMMENT ON COLUMN news.quality_checks.metric IS 'What was measured, e.g. articles_found, missing_date_share, '
    'short_text_share, rejected_share.';
COMMENT ON COLUMN news.quality_checks.value IS 'The day''s value (a count, or a share between 0 and 1).';
COMMENT ON COLUMN news.quality_checks.baseline IS 'Median of the metric over the site''s previous days, NULL '
    'without history.';
COMMENT ON COLUMN news.quality_checks.status IS 'ok, warn or fail, from the value against its baseline and floor.';
COMMENT ON COLUMN news.quality_checks.message IS 'One line explaining a warn or fail.';
COMMENT ON COLUMN news.quality_checks.checked_at IS 'When the check ran (a rerun of the day updates the row).';

-- search_articles: the analysts' search, in every language (query syntax and folding: 0070).
--
-- Stories by default: one row per story that has a matching copy, showing its canonical copy (which need not be
-- the copy that matched) with the story's copies and sites; every_copy => true gives one row per matching
-- article instead. Filters (days, sites, languages, topics) apply to the matching copies before anything is
-- counted, ranked or cut. Only the newest max_candidates copies that contain every word are examined, however
-- many match: each search document also holds its month ('@2026-06', month_lexeme), so the GIN index answers
-- "the matches of this month", then of the month before, then of the two before, and so on, doubling, until
-- enough are found (a common word: one or two months, a few thousand rows read), or until the matches come so
-- rarely that all the older ones together are few (a rare word: they are then read at once, as after five
-- years). Phrases and exclusions are then checked on these candidates only. No table is ever read whole (the
-- function plans without sequential scans). Among them, relevance is ts_rank_cd (title words count most), halved for every year of age;
-- total counts the stories (or copies) among them, and total_is_exact is false when more candidates exist
-- beyond them (narrow the days, or raise max_candidates). Every table is read through its primary key after
-- that, so the work does not grow with the corpus.
--
-- PostgreSQL applies statement_timeout from the session, not from a function's SET clause: the reader login that
-- `ingot db reader-url` creates carries one (see README, For analysts), and so does `ingot search`.
CREATE FUNCTION news.search_articles(
    query          text,
    since          date    DEFAULT NULL,
    until          date    DEFAULT NULL,
    from_sites     text[]  DEFAULT NULL,
    in_languages   text[]  DEFAULT NULL,
    with_topics    text[]  DEFAULT NULL,
    every_copy     boolean DEFAULT false,
    order_by       text    DEFAULT 'relevance',
    max_results    integer DEFAULT 20,
    skip           integer DEFAULT 0,
    max_candidates integer DEFAULT 1000)
RETURNS TABLE (rank real, id bigint, cluster_id bigint, news_day date, published_at timestamptz, site text,
               title text, url text, language text, tags text[], copies integer, sites text[],
               matched_copies integer, snippet text, total integer, total_is_exact boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp SET client_min_messages = warning SET enable_seqscan = off AS $fn$
DECLARE
    parsed record;
    languages text[] := (SELECT array_agg(lower(l)) FROM unnest(in_languages) AS l);
    wanted integer;
    ids bigint[] := '{}';
    found bigint[];
    newest date;
    window_end date;
    months integer := 2;  -- the newest month may have just begun: the first window holds the one before too
    window_query tsquery;
BEGIN
    IF order_by IS NULL OR order_by NOT IN ('relevance', 'date') THEN
        RAISE EXCEPTION 'order_by must be ''relevance'' or ''date'', not %', coalesce(quote_literal(order_by), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF max_results IS NULL OR max_results NOT BETWEEN 0 AND 1000 THEN
        RAISE EXCEPTION 'max_results must be between 0 and 1000, not %', coalesce(max_results::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF skip IS NULL OR skip < 0 THEN
        RAISE EXCEPTION 'skip must be 0 or more, not %', coalesce(skip::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF max_candidates IS NULL OR max_candidates NOT BETWEEN 1 AND 100000 THEN
        RAISE EXCEPTION 'max_candidates must be between 1 and 100000, not %', coalesce(max_candidates::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO parsed FROM search_query_parts(query);
    IF numnode(parsed.tsq) = 0 THEN
        RETURN;
    END IF;
    wanted := max_candidates + 1;  -- one more than examined: whether the total is exact

    -- The candidates, newest first: month windows, then everything older (and the undated when no day is asked).
    newest := least(until, (SELECT i.news_day FROM article_index i WHERE i.news_day IS NOT NULL
                            ORDER BY i.news_day DESC NULLS LAST LIMIT 1));
    newest := coalesce(newest, until);
    window_end := date_trunc('month', newest)::date;
    WHILE window_end IS NOT NULL AND cardinality(ids) < wanted AND months <= 32
          AND (since IS NULL OR window_end >= date_trunc('month', since)) LOOP
        window_query := (SELECT string_agg(quote_lexeme('@' || to_char(m, 'YYYY-MM')), ' | ')::tsquery
                         FROM generate_series(window_end, window_end - make_interval(months => months - 1),
                                              interval '-1 month') AS m);
        EXECUTE $window$
            SELECT coalesce(array_agg(w.article_id ORDER BY w.news_day DESC, w.published_at DESC NULLS LAST,
                                      w.article_id DESC), '{}')
            FROM (SELECT i.article_id, i.news_day, i.published_at
                  FROM article_index i
                  WHERE i.search_document @@ ($1 && $2)
                    AND ($4::date IS NULL OR i.news_day >= $4) AND ($5::date IS NULL OR i.news_day <= $5)
                    AND ($6::text[] IS NULL OR i.site_key = ANY ($6))
                    AND ($7::text[] IS NULL OR lower(i.language) = ANY ($7)
                         OR split_part(lower(i.language), '-', 1) = ANY ($7))
                    AND ($8::text[] IS NULL OR i.topics @> $8)
                  ORDER BY i.news_day DESC, i.published_at DESC NULLS LAST, i.article_id DESC
                  LIMIT $3) w
        $window$ INTO found
        USING parsed.relaxed, window_query, wanted - cardinality(ids), since, until, from_sites, languages,
              with_topics;
        ids := ids || found;
        window_end := (window_end - make_interval(months => months))::date;
        -- at this month's rate, ten more years of matches are few: read them all at once
        EXIT WHEN cardinality(found) * 120 < 10 * wanted * months;
        months := months * 2;
    END LOOP;
    IF cardinality(ids) < wanted AND (window_end IS NULL OR since IS NULL OR window_end >= since) THEN
        EXECUTE $older$
            SELECT coalesce(array_agg(w.article_id ORDER BY w.news_day DESC NULLS LAST, w.published_at DESC NULLS LAST,
                                      w.article_id DESC), '{}')
            FROM (SELECT i.article_id, i.news_day, i.published_at
                  FROM article_index i
                  WHERE i.search_document @@ $1
                    AND ($2::date IS NULL OR i.news_day < $2 + 1
                         OR ($4::date IS NULL AND $5::date IS NULL AND i.news_day IS NULL))
                    AND ($4::date IS NULL OR i.news_day >= $4) AND ($5::date IS NULL OR i.news_day <= $5)
                    AND ($6::text[] IS NULL OR i.site_key = ANY ($6))
                    AND ($7::text[] IS NULL OR lower(i.language) = ANY ($7)
                         OR split_part(lower(i.language), '-', 1) = ANY ($7))
                    AND ($8::text[] IS NULL OR i.topics @> $8)
                  ORDER BY i.news_day DESC NULLS LAST, i.published_at DESC NULLS LAST, i.article_id DESC
                  LIMIT $3) w
        $older$ INTO found
        USING parsed.relaxed, (window_end + interval '1 month' - interval '1 day')::date, wanted - cardinality(ids),
              since, until, from_sites, languages, with_topics;
        ids := ids || found;
    END IF;

    -- $1 candidates, $2 how many to examine, $3 the query, $4 whether candidates need checking against it (a
    -- phrase or an exclusion), $5 every copy, $6 by relevance, $7 max results, $8 skip, $9 highlight pattern.
    RETURN QUERY EXECUTE format($query$
WITH candidate AS (
    SELECT c.article_id, c.ordinal, d.published_at, d.cluster_id,
           CASE WHEN $6 THEN ts_rank_cd(d.search_document, $3, 1)
                             / (1 + greatest(current_date - coalesce(d.news_day, current_date - 365), 0) / 365.0)
           END AS rank
    FROM unnest($1::bigint[]) WITH ORDINALITY AS c (article_id, ordinal)
    CROSS JOIN LATERAL (
        SELECT i.search_document, i.news_day, i.published_at,
               (SELECT coalesce(a.cluster_id, a.id) FROM article a WHERE a.id = i.article_id) AS cluster_id
        FROM article_index i WHERE i.article_id = c.article_id
    ) d
    WHERE c.ordinal <= $2 AND (NOT $4 OR d.search_document @@ $3)
), grouped AS (
    SELECT CASE WHEN $5 THEN c.article_id ELSE c.cluster_id END AS grp,
           min(c.cluster_id) AS cluster_id,
           max(c.rank) AS rank,
           count(*)::integer AS matched_copies,
           (array_agg(c.article_id ORDER BY c.rank DESC NULLS LAST, c.ordinal))[1] AS best_id,
           max(c.published_at) AS latest_published_at
    FROM candidate c
    GROUP BY 1
), shown AS (
    SELECT g.grp, g.cluster_id, g.rank, g.matched_copies, g.best_id,
           CASE WHEN $5 THEN g.grp ELSE coalesce(s.canonical_id, g.best_id) END AS shown_id,
           CASE WHEN $5 THEN g.latest_published_at
                ELSE coalesce(s.first_published_at, g.latest_published_at) END AS sort_time
    FROM grouped g
    LEFT JOIN LATERAL (SELECT s.canonical_id, s.first_published_at FROM story s WHERE s.cluster_id = g.cluster_id) s
        ON true
), ordered AS (
    SELECT g.*, row_number() OVER (ORDER BY %s) AS ordinal, count(*) OVER () AS total
    FROM shown g
)
SELECT coalesce(o.rank, (SELECT ts_rank_cd(i.search_document, $3, 1) FROM article_index i
                         WHERE i.article_id = o.best_id))::real,
       a.id, o.cluster_id, (a.published_at AT TIME ZONE st.timezone)::date, a.published_at, a.site_key, a.title,
       a.canonical_url, a.language, ix.topics, coalesce(s.copies, 1), coalesce(s.sites, ARRAY[a.site_key]),
       o.matched_copies, search_snippet(b.text, $9), o.total::integer, cardinality($1) <= $2
FROM ordered o
CROSS JOIN LATERAL (SELECT * FROM article a WHERE a.id = o.shown_id) a
CROSS JOIN LATERAL (SELECT st.timezone FROM site st WHERE st.key = a.site_key) st
CROSS JOIN LATERAL (SELECT b.text FROM article b WHERE b.id = o.best_id) b
LEFT JOIN LATERAL (SELECT ix.topics FROM article_index ix WHERE ix.article_id = a.id) ix ON true
LEFT JOIN LATERAL (SELECT s.copies, s.sites FROM story s WHERE s.cluster_id = o.cluster_id) s ON true
WHERE o.ordinal > $8 AND o.ordinal <= $8 + $7
ORDER BY o.ordinal
$query$, CASE order_by WHEN 'relevance' THEN 'g.rank DESC, g.sort_time DESC NULLS LAST, g.grp DESC'
                       ELSE 'g.sort_time DESC NULLS LAST, g.grp DESC' END)
    USING ids, max_candidates, parsed.tsq, parsed.relaxed::text <> parsed.tsq::text, coalesce(every_copy, false),
          order_by = 'relevance', max_results, skip, parsed.highlight;
END
$fn$;

COMMENT ON FUNCTION news.search_articles(text, date, date, text[], text[], text[], boolean, text, integer, integer,
                                         integer) IS
    'Search articles in any language (Chinese in either script, Thai, French and English stemmed, accents '
    'ignored; websearch syntax: "phrase", OR, -word). One row per story (every_copy: per article), filters before '
    'the limit, relevance or date order, paging by skip, snippet with matches in <b></b>, total among the newest '
    'max_candidates matches.';

REVOKE EXECUTE ON FUNCTION news.search_articles(text, date, date, text[], text[], text[], boolean, text, integer,
                                                integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION news.search_articles(text, date, date, text[], text[], text[], boolean, text, integer,
                                               integer, integer) TO ingot_reader;

GRANT SELECT ON news.articles, news.stories, news.sites, news.daily_site_stats, news.quality_checks TO ingot_reader;
