-- Search in Chinese: all words must match; Simplified and Traditional find each other (電解鋁 = 电解铝).
-- lang => 'zh' covers zh-Hans and zh-Hant; since is a news day.
SELECT news_day, site, title, url
FROM search_articles('电解铝 碳排放', since => DATE '2025-01-01', lang => 'zh')
ORDER BY rank DESC, id;
