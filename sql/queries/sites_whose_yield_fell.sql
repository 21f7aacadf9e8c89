-- Sites whose daily article yield over the last 7 news days fell below half of their average over the 28 days
-- before. Days without a crawl count as zero from the site's first crawl on, so a site that stopped yielding
-- altogether shows a recent average of 0.
WITH first_crawl AS (
    SELECT site, min(news_day) AS first_day FROM news.daily_site_stats GROUP BY site
), days AS (
    SELECT f.site, d::date AS news_day
    FROM first_crawl f
    CROSS JOIN generate_series(greatest(current_date - 35, f.first_day), current_date - 1, interval '1 day') AS d
), yield AS (
    SELECT d.site, d.news_day, coalesce(st.articles, 0) AS articles
    FROM days d
    LEFT JOIN news.daily_site_stats st ON st.site = d.site AND st.news_day = d.news_day
), compared AS (
    SELECT site,
           avg(articles) FILTER (WHERE news_day >= current_date - 7) AS recent_per_day,
           avg(articles) FILTER (WHERE news_day < current_date - 7)  AS baseline_per_day
    FROM yield
    GROUP BY site
)
SELECT site, round(baseline_per_day, 2) AS baseline_per_day, round(recent_per_day, 2) AS recent_per_day
FROM compared
WHERE baseline_per_day > 0 AND recent_per_day < 0.5 * baseline_per_day
ORDER BY recent_per_day / baseline_per_day, site;
