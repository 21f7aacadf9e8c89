-- Duplicate lookups whose work is bounded per new article, however many copies of a story exist.
--
-- 0040's GIN index finds band matches from all time and only as a bitmap: every lookup read every article
-- sharing a band, in or out of the 45-day window, and could not stop early. A flood of copies (a wire story on
-- hundreds of sites, a price report republished daily for years) made each new copy read all earlier ones.
-- One btree per band on (band value, time), and the exact hash on (hash, time), read only the window and can
-- stop after the first matches (ingot.article_store.MAX_DUPLICATES_READ). The bands are those of 0040: the
-- 64-bit SimHash in 6 parts of 10-11 bits, so two fingerprints that differ in at most 5 bits share one.
-- The expressions must stay exactly as ingot.article_store's DUPLICATE_CLUSTERS writes them.
DROP INDEX article_fingerprint_bands_idx;
ALTER TABLE article DROP COLUMN fingerprint_bands;

CREATE INDEX article_band0_idx ON article (((fingerprint >> 0) & 2047), (coalesce(published_at, first_seen_at)));
CREATE INDEX article_band1_idx ON article (((fingerprint >> 11) & 2047), (coalesce(published_at, first_seen_at)));
CREATE INDEX article_band2_idx ON article (((fingerprint >> 22) & 2047), (coalesce(published_at, first_seen_at)));
CREATE INDEX article_band3_idx ON article (((fingerprint >> 33) & 2047), (coalesce(published_at, first_seen_at)));
CREATE INDEX article_band4_idx ON article (((fingerprint >> 44) & 1023), (coalesce(published_at, first_seen_at)));
CREATE INDEX article_band5_idx ON article (((fingerprint >> 54) & 1023), (coalesce(published_at, first_seen_at)));

DROP INDEX article_text_sha256_idx;
CREATE INDEX article_text_sha256_idx ON article (text_sha256, (coalesce(published_at, first_seen_at)));

-- Marking a cluster's canonical copy reads the copies marked canonical now and the earliest copy, not the
-- whole cluster: a story republished daily is one cluster that grows without end. Still serves cluster_id
-- lookups (moving a cluster, the stories view).
DROP INDEX article_cluster_idx;
CREATE INDEX article_cluster_idx ON article (cluster_id, is_canonical, published_at, first_seen_at, id);
