-- The database session of the crawler that holds a running crawl_run: a second crawl of the same site and day
-- refuses to start while that session is alive, instead of fetching every page a second time. A crawler killed
-- without closing its run leaves a dead session behind, so its rerun takes the run over.
ALTER TABLE crawl_run ADD COLUMN owner_pid integer;
COMMENT ON COLUMN crawl_run.owner_pid IS
    'backend pid of the crawler session that opened the run; a live one means the run is being crawled now';
