-- The date a listing page, feed or sitemap printed beside an article's link, kept with the fetched article page:
-- for an article whose own page gives no date (cmra's pages carry none), it is the only publication date there
-- is, and the article takes it (published_rule 'listing') instead of having no news day.
ALTER TABLE raw_page
    ADD COLUMN listed_at  timestamptz,
    ADD COLUMN listed_raw text;

COMMENT ON COLUMN raw_page.listed_at IS 'date the link''s listing, feed or sitemap gave, parsed (NULL if none)';
COMMENT ON COLUMN raw_page.listed_raw IS 'that date as written beside the link';
