-- search_articles: ranked search over the published articles in every language (see 0021 for the query side).
-- SECURITY DEFINER so that ingot_reader can search without reading article_index: it returns only columns the
-- reader already sees in `articles`, and its search_path is pinned (pg_temp last) so callers cannot hijack it.
CREATE FUNCTION search_articles(query text, since date DEFAULT NULL, lang text DEFAULT NULL,
                                max_results integer DEFAULT 50)
RETURNS TABLE (rank real, id bigint, news_day date, published_at timestamptz, site text, title text, url text,
               language text, tags text[], cluster_id bigint, is_canonical boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $fn$
SELECT ts_rank_cd(i.search_document, q.q, 1) AS rank,
       v.id, v.news_day, v.published_at, v.site, v.title, v.url, v.language, v.tags, v.cluster_id, v.is_canonical
FROM search_tsquery(search_articles.query) AS q (q)
JOIN article_index i ON i.search_document @@ q.q
JOIN articles v ON v.id = i.article_id
WHERE numnode(q.q) > 0
  AND (search_articles.since IS NULL OR v.news_day >= search_articles.since)
  AND (search_articles.lang IS NULL
       OR lower(v.language) = lower(search_articles.lang)
       OR lower(v.language) LIKE lower(search_articles.lang) || '-%')
ORDER BY rank DESC, v.published_at DESC NULLS LAST, v.id
LIMIT greatest(coalesce(search_articles.max_results, 50), 0)
$fn$;

COMMENT ON FUNCTION search_articles(text, date, text, integer) IS
    'Articles matching a query in any language (all words must match; Chinese in either script, Thai, French '
    'and English stemmed), most relevant first. since: news_day on or after; lang: zh matches zh-Hans and zh-Hant.';

REVOKE EXECUTE ON FUNCTION search_articles(text, date, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_articles(text, date, text, integer) TO ingot_reader;
