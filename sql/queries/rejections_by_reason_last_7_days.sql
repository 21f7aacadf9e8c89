-- Why extraction rejected pages in the last 7 news days, per site and reason.
SELECT st.site, r.key AS reason, sum(r.value::integer) AS pages
FROM news.daily_site_stats st
CROSS JOIN LATERAL jsonb_each_text(st.rejected_by_reason) AS r
WHERE st.news_day >= current_date - 7
GROUP BY st.site, r.key
ORDER BY st.site, pages DESC, reason;
