-- How many stories each topic had in the last 30 news days, per language (canonical copies only).
SELECT tag, language, count(*) AS stories
FROM news.articles
CROSS JOIN LATERAL unnest(tags) AS tag
WHERE is_canonical AND news_day >= current_date - 29
GROUP BY tag, language
ORDER BY tag, stories DESC, language;
