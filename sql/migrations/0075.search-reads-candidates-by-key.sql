-- search_articles reads each candidate by its primary key, whatever the query.
--
-- With a phrase or an exclusion, the candidates are checked against the whole query (`search_document @@ $3`).
-- The planner pulled that check into the candidate lookup and answered it from the GIN index instead: a bitmap
-- scan of every article holding the phrase's words (47,743 rows of 1,000,000, each search document read and
-- unpacked to test the phrase), hash-joined to the 1,000 candidates; 1.3 s where reading the candidates by key
-- takes 23 ms (bench/bench_search.py, Chinese two-word and phrase queries). OFFSET 0 keeps each lookup by key
-- (the candidates', and the shown rows' story, article, site and tags) a subquery of its own, planned per row:
-- no join the planner may prefer reads a whole table or a query's every match. The function is otherwise 0072's.

CREATE OR REPLACE FUNCTION news.search_articles(
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
        OFFSET 0  -- each lookup a subquery of its own, planned per row (see above)
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
    LEFT JOIN LATERAL (SELECT s.canonical_id, s.first_published_at FROM story s WHERE s.cluster_id = g.cluster_id
                       OFFSET 0) s ON true
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
CROSS JOIN LATERAL (SELECT * FROM article a WHERE a.id = o.shown_id OFFSET 0) a
CROSS JOIN LATERAL (SELECT st.timezone FROM site st WHERE st.key = a.site_key OFFSET 0) st
CROSS JOIN LATERAL (SELECT b.text FROM article b WHERE b.id = o.best_id OFFSET 0) b
LEFT JOIN LATERAL (SELECT ix.topics FROM article_index ix WHERE ix.article_id = a.id OFFSET 0) ix ON true
LEFT JOIN LATERAL (SELECT s.copies, s.sites FROM story s WHERE s.cluster_id = o.cluster_id OFFSET 0) s ON true
WHERE o.ordinal > $8 AND o.ordinal <= $8 + $7
ORDER BY o.ordinal
$query$, CASE order_by WHEN 'relevance' THEN 'g.rank DESC, g.sort_time DESC NULLS LAST, g.grp DESC'
                       ELSE 'g.sort_time DESC NULLS LAST, g.grp DESC' END)
    USING ids, max_candidates, parsed.tsq, parsed.relaxed::text <> parsed.tsq::text, coalesce(every_copy, false),
          order_by = 'relevance', max_results, skip, parsed.highlight;
END
$fn$;
