-- Identical short texts (under 80 characters: flash news, one-line notices) are the same story when their
-- headlines are identical too; without the headline, a stub shared by unrelated articles ("subscribe to read")
-- would join them all. This index finds those copies within the clustering window without reading the other
-- articles that share the stub: its key joins the text hash and the headline (folded to Simplified as the text
-- hash is), which no other index serves. Its expressions must stay exactly as ingot.article_clusters writes them
-- (octet_length below 4 * MIN_CLUSTER_TEXT bytes).
CREATE INDEX article_short_copies_idx
    ON article ((text_sha256 || ':' || md5(fold_chinese(title))), (coalesce(published_at, first_seen_at)))
    WHERE octet_length(text) < 320;
