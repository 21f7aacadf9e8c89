"""An article whose page gives no date takes the date its listing printed beside the link, and keeps it."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import psycopg

from ingot.extraction_job import extract_pages
from ingot.paths import SITES_DIR
from ingot.sites import load_sites
from tests.crawl.helpers import crawl

DAY = datetime.date(2026, 9, 28)  # cmra's pages carry no date; its list shows one beside each link
ANALYSIS = "http://www.cmra.cn/xiehuigongzuo/4512.html"
INITIATIVE = "http://www.cmra.cn/xiehuigongzuo/4436.html"


def stored(db_url: str) -> dict[str, tuple]:
    with psycopg.connect(db_url) as conn:
        return {url: tuple(rest) for url, *rest in conn.execute(
            "SELECT canonical_url, published_at, published_raw, published_rule FROM article ORDER BY id")}


def test_an_undated_article_takes_its_listing_date_and_keeps_it_on_a_revisit(db_url, fixture_web):
    crawl(db_url, fixture_web, "cmra", DAY)
    sites = load_sites(SITES_DIR)
    extract_pages(db_url, sites, site_key="cmra", day=DAY, workers=1)
    shanghai = ZoneInfo("Asia/Shanghai")
    assert stored(db_url) == {
        ANALYSIS: (datetime.datetime(2026, 9, 23, tzinfo=shanghai), "2026-09-23", "listing"),
        INITIATIVE: (datetime.datetime(2021, 1, 18, tzinfo=shanghai), "2021-01-18", "listing"),
    }
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT news_day FROM news.articles WHERE canonical_url = %s",
                            (ANALYSIS,)).fetchone() == (datetime.date(2026, 9, 23),)
        # a later fetch of the page that came without its listing (a revisit), then re-extracted
        conn.execute("UPDATE raw_page SET listed_at = NULL, listed_raw = NULL WHERE url = %s", (ANALYSIS,))
    extract_pages(db_url, sites, site_key="cmra", reextract=True, workers=1)
    assert stored(db_url)[ANALYSIS] == (datetime.datetime(2026, 9, 23, tzinfo=shanghai), "2026-09-23", "listing")
