-- Search documents and topic tags of each article. Written only by ingot.indexing (`ingot index`), after
-- extraction; re-tagging after a vocabulary change rewrites these rows and never touches `article`.
CREATE TABLE article_index (
    article_id           bigint      PRIMARY KEY REFERENCES article (id) ON DELETE CASCADE,
    search_document      tsvector    NOT NULL,
    topics               text[]      NOT NULL DEFAULT '{}',
    vocabulary_version   text        NOT NULL,
    index_format         integer     NOT NULL,
    article_extracted_at timestamptz NOT NULL,
    indexed_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX article_index_document_idx ON article_index USING gin (search_document);
CREATE INDEX article_index_topics_idx ON article_index USING gin (topics);

COMMENT ON TABLE article_index IS 'Search document and topic tags per article; written by ingot.indexing only.';
COMMENT ON COLUMN article_index.vocabulary_version IS 'sha256 prefix of the topic vocabulary file that tagged it';
COMMENT ON COLUMN article_index.index_format IS 'version of the search document layout (ingot.indexing.INDEX_FORMAT)';
COMMENT ON COLUMN article_index.article_extracted_at IS 'article.extracted_at of the text that was indexed';
