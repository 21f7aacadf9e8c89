-- Daily quality checks per site: one row per site, news day and metric, so trends can be queried.
-- Written only by ingot.quality (the DAG's check task); a rerun of the same day updates the same rows.
CREATE TABLE quality_check (
    site_key   text        NOT NULL REFERENCES site (key),
    news_day   date        NOT NULL,
    metric     text        NOT NULL,
    value      double precision NOT NULL,
    baseline   double precision,
    status     text        NOT NULL CHECK (status IN ('ok', 'warn', 'fail')),
    message    text,
    checked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_key, news_day, metric)
);

CREATE INDEX quality_check_day_status_idx ON quality_check (news_day, status);

-- What one run of the daily pipeline did for each site and news day: the crawl's outcome (also when the crawl
-- failed before it could record a crawl_run) and the extraction summary. Written only by ingot.daily.
CREATE TABLE daily_site_run (
    site_key       text        NOT NULL REFERENCES site (key),
    news_day       date        NOT NULL,
    crawl_status   text        CHECK (crawl_status IN ('succeeded', 'partial', 'failed')),
    crawl_error    text,
    crawl_stats    jsonb       NOT NULL DEFAULT '{}',
    extract_status text        CHECK (extract_status IN ('succeeded', 'failed')),
    extract_error  text,
    extraction     jsonb       NOT NULL DEFAULT '{}',
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_key, news_day)
);

CREATE VIEW quality_checks AS
SELECT site_key AS site, news_day, metric, value, baseline, status, message, checked_at
FROM quality_check;

GRANT SELECT ON quality_checks TO ingot_reader;
