-- Search in French (stemmed: "coopérations" finds "coopération") and in Thai (ทองแดง: copper), at once: words of
-- different languages can be mixed, every word must match somewhere in the article.
SELECT 'fr' AS asked, news_day, site, title, url FROM search_articles('coopérations aluminium')
UNION ALL
SELECT 'th', news_day, site, title, url FROM search_articles('ทองแดง', max_results => 10)
ORDER BY asked, news_day DESC;
