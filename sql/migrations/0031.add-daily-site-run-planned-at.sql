-- When a run of the daily pipeline last planned this site and day: the run's own list of sites, so its report
-- also names a site whose tasks never recorded anything.
ALTER TABLE daily_site_run ADD COLUMN planned_at timestamptz;
