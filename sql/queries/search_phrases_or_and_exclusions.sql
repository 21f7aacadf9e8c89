-- Queries as typed in a web search: "a phrase" in order, OR between two words, -word to exclude; in every script.
-- Stories that name the EU's carbon border tax, newest first, except those about steel, with how many sites
-- carried each; then every copy, site by site, of the Chinese stories about the "碳达峰" goal or 倡议书.
SELECT 'cbam' AS asked, news_day, site, title, url, copies
FROM news.search_articles('"carbon border" OR CBAM -steel', order_by => 'date')
UNION ALL
SELECT 'zh', news_day, site, title, url, copies
FROM news.search_articles('"碳达峰" OR 倡议书', every_copy => true, in_languages => ARRAY['zh'])
ORDER BY asked, site;
