-- Search in French (stemmed, accents optional: "cooperations" finds "coopération") and in Thai (ทองแดง: copper),
-- at once: words of different languages can be mixed, every word must match somewhere in the article.
SELECT 'fr' AS asked, news_day, site, title, url FROM news.search_articles('cooperations aluminium')
UNION ALL
SELECT 'th', news_day, site, title, url FROM news.search_articles('ทองแดง', max_results => 10)
ORDER BY asked, news_day DESC;
