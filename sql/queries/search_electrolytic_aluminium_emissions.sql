-- Search in Chinese: all words must match; Simplified and Traditional find each other (電解鋁 = 电解铝). One row
-- per story, with every site that carried it; in_languages => ARRAY['zh'] covers zh-Hans and zh-Hant; since is a
-- news day. The snippet marks the matches.
SELECT news_day, site, title, url, copies, sites, snippet
FROM news.search_articles('电解铝 碳排放', since => DATE '2025-01-01', in_languages => ARRAY['zh'])
ORDER BY rank DESC, id;
