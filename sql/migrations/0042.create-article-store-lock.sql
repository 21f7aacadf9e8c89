-- The article store's writers' lock (ingot.article_store.STORE_LOCK): each batch's transaction takes it in
-- EXCLUSIVE mode, which conflicts with itself, so one batch writes articles and outcomes at a time. It replaces
-- an advisory lock, which every role may take (pg_advisory_lock is granted to PUBLIC): a reader session holding
-- it stopped every extraction. LOCK TABLE in this mode needs UPDATE, DELETE or TRUNCATE on the table, granted to
-- no one: only its owner (the role that runs the migrations and the pipeline) and superusers may take it. The
-- table has no rows; only its lock is used.
CREATE TABLE article_store_lock ();

REVOKE ALL ON article_store_lock FROM PUBLIC;

COMMENT ON TABLE article_store_lock IS
    'No rows: writers of article and page_extraction lock it (EXCLUSIVE) for the length of a batch.';
