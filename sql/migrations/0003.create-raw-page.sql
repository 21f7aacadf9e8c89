-- Every fetched response, byte for byte (zlib-compressed), kept until its article is extracted.
CREATE TABLE raw_page (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    crawl_run_id      bigint      NOT NULL REFERENCES crawl_run (id),
    site_key          text        NOT NULL REFERENCES site (key),
    kind              text        NOT NULL DEFAULT 'article'
                                  CHECK (kind IN ('article', 'list', 'feed', 'sitemap', 'other')),
    url               text        NOT NULL,
    final_url         text        NOT NULL,
    canonical_url     text        NOT NULL,
    http_status       smallint    NOT NULL,
    headers           jsonb       NOT NULL DEFAULT '{}',
    declared_encoding text,
    detected_encoding text,
    body_zlib         bytea       NOT NULL,
    body_size         integer     NOT NULL CHECK (body_size >= 0),
    body_sha256       text        NOT NULL CHECK (body_sha256 ~ '^[0-9a-f]{64}$'),
    fetched_at        timestamptz NOT NULL,
    UNIQUE (crawl_run_id, url)
);

CREATE INDEX raw_page_site_canonical_idx ON raw_page (site_key, canonical_url);
CREATE INDEX raw_page_fetched_at_idx ON raw_page (fetched_at);
