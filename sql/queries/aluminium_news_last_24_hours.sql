-- Today's aluminium news in every language: one row per story (canonical copies), tagged aluminium, published
-- in the last 24 hours, grouped by language. Change the tag to any key of vocabulary/topics.yaml.
SELECT language, published_at, site, title, url
FROM news.articles
WHERE tags @> ARRAY['aluminium']
  AND is_canonical
  AND published_at >= now() - interval '24 hours'
ORDER BY language, published_at DESC;
