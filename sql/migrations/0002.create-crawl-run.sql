-- One crawl of one site for one news day. A rerun of the same day reuses its row.
CREATE TABLE crawl_run (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_key    text        NOT NULL REFERENCES site (key),
    news_day    date        NOT NULL,
    status      text        NOT NULL DEFAULT 'running'
                            CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    stats       jsonb       NOT NULL DEFAULT '{}',
    error       text,
    UNIQUE (site_key, news_day)
);

CREATE INDEX crawl_run_news_day_idx ON crawl_run (news_day);
