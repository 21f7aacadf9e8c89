-- Near-duplicate lookup by index: the 64-bit SimHash split into 6 bands of 10-11 bits (band i stored as
-- i * 2048 + value). Two fingerprints that differ in at most 5 bits share at least one band (pigeonhole), so a
-- GIN overlap query finds every candidate while reading about 0.3% of the articles in the time window.
ALTER TABLE article ADD COLUMN fingerprint_bands integer[] GENERATED ALWAYS AS (
    CASE WHEN fingerprint IS NULL THEN NULL ELSE ARRAY[
        (0 * 2048 + ((fingerprint >> 0) & 2047))::integer,
        (1 * 2048 + ((fingerprint >> 11) & 2047))::integer,
        (2 * 2048 + ((fingerprint >> 22) & 2047))::integer,
        (3 * 2048 + ((fingerprint >> 33) & 2047))::integer,
        (4 * 2048 + ((fingerprint >> 44) & 1023))::integer,
        (5 * 2048 + ((fingerprint >> 54) & 1023))::integer
    ] END
) STORED;

-- fastupdate off: lookups follow inserts in the same transaction, and a pending list would be scanned linearly.
CREATE INDEX article_fingerprint_bands_idx ON article USING gin (fingerprint_bands) WITH (fastupdate = off);
