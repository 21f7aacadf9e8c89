-- The analysts' read-only role and the first published view. Analysts read views, never tables.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ingot_reader') THEN
        CREATE ROLE ingot_reader NOLOGIN;
    END IF;
END
$$;

-- Servers older than PostgreSQL 15 let every role create tables in public; nobody but the owner should.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO ingot_reader;

CREATE VIEW articles AS
SELECT a.id,
       a.site_key        AS site,
       a.url,
       a.canonical_url,
       a.title,
       a.authors,
       a.editor,
       a.original_source AS source,
       a.published_at,
       a.language,
       a.text,
       a.paywalled,
       a.cluster_id,
       a.is_canonical,
       a.first_seen_at
FROM article a;

GRANT SELECT ON articles TO ingot_reader;
