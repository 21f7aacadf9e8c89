-- Clean articles, one row per canonical URL, and the outcome of extracting each stored page.
CREATE TABLE article (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    canonical_url     text        NOT NULL UNIQUE,
    url               text        NOT NULL,
    site_key          text        NOT NULL REFERENCES site (key),
    raw_page_id       bigint      REFERENCES raw_page (id) ON DELETE SET NULL,
    title             text        NOT NULL,
    text              text        NOT NULL,
    text_sha256       text        NOT NULL,
    fingerprint       bigint,
    authors           text[]      NOT NULL DEFAULT '{}',
    editor            text,
    reviewers         jsonb       NOT NULL DEFAULT '{}',
    original_source   text,
    published_at      timestamptz,
    published_raw     text,
    published_rule    text,
    language          text,
    paywalled         boolean     NOT NULL DEFAULT false,
    image_url         text,
    categories        text[]      NOT NULL DEFAULT '{}',
    keywords          text[]      NOT NULL DEFAULT '{}',
    cluster_id        bigint,
    is_canonical      boolean     NOT NULL DEFAULT true,
    rule_version      integer     NOT NULL,
    extractor_version text        NOT NULL,
    first_seen_at     timestamptz NOT NULL DEFAULT now(),
    extracted_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX article_site_published_idx ON article (site_key, published_at);
CREATE INDEX article_text_sha256_idx ON article (text_sha256);
CREATE INDEX article_cluster_idx ON article (cluster_id);

CREATE TABLE page_extraction (
    raw_page_id       bigint      PRIMARY KEY REFERENCES raw_page (id) ON DELETE CASCADE,
    outcome           text        NOT NULL CHECK (outcome IN ('article', 'rejected')),
    reason            text,
    detail            text,
    article_id        bigint      REFERENCES article (id) ON DELETE SET NULL,
    rule_version      integer     NOT NULL,
    extractor_version text        NOT NULL,
    extracted_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((outcome = 'rejected') = (reason IS NOT NULL))
);

CREATE INDEX page_extraction_reason_idx ON page_extraction (reason) WHERE reason IS NOT NULL;
