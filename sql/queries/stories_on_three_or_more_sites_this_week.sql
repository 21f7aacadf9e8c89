-- Stories carried by three or more sites in the last seven news days, most widely carried first.
SELECT cluster_id, news_day, title, url, site_count, sites
FROM news.stories
WHERE site_count >= 3
  AND news_day >= current_date - 6
ORDER BY site_count DESC, news_day DESC, cluster_id;
