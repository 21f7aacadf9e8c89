"""An article whose page gives no date takes the date its listing printed beside the link, and keeps it."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import psycopg

from ingot.extraction_job import extract_pages
from ingot.fixture_web import FixtureWeb
from ingot.sites import load_sites
from tests.crawl.helpers import crawl
from tests.reliability.faultsite import article_html, english_paragraphs, put, write_site

DAY = datetime.date(2026, 9, 28)
HOST = "www.undatednews.com"
LISTED = {"analysis": "2026-09-23", "initiative": "2026-09-18"}  # the dates the list prints; the pages give none


def stored(db_url: str) -> dict[str, tuple]:
    with psycopg.connect(db_url) as conn:
        return {url: tuple(rest) for url, *rest in conn.execute(
            "SELECT canonical_url, published_at, published_raw, published_rule FROM article ORDER BY id")}


def undated_site(root, listed: dict[str, str] = LISTED, key: str = "undated", crawl_extra: str = ""):
    """A listing printing ``listed``'s dates beside links to article pages that give none."""
    web, sites = root / "web", root / "sites"
    put(web, HOST, "/robots.txt", b"User-agent: *\nAllow: /\n")
    for name in listed:
        page = re.sub(r'<span class="pubtime">[^<]*</span>', "", article_html(f"Story {name}", english_paragraphs(name)))
        put(web, HOST, f"/news/{name}.html", page.encode())
    items = "".join(f'<li><a href="/news/{name}.html">{name}</a><span class="date">{day}</span></li>'
                    for name, day in listed.items())
    put(web, HOST, "/news/index.html", f"<html><body><ul class='list'>{items}</ul></body></html>".encode())
    write_site(sites, key, HOST, f"  lists:\n    - url: https://{HOST}/news/\n      item_selector: ul.list > li\n"
               f"      date_selector: span.date\n      max_pages: 1\n{crawl_extra}"
               f"  article_patterns: ['^https://{HOST}/news/[a-z]+\\.html$']")
    return web, sites

def test_an_undated_article_takes_its_listing_date_and_keeps_it_on_a_revisit(db_url, tmp_path):
    web_root, sites_dir = undated_site(tmp_path)
    with FixtureWeb(web_root) as web:
        crawl(db_url, web, "undated", DAY, sites_dir=sites_dir)
    sites = load_sites(sites_dir)
    extract_pages(db_url, sites, site_key="undated", day=DAY, workers=1)
    shanghai = ZoneInfo("Asia/Shanghai")
    analysis, initiative = (f"https://{HOST}/news/{name}.html" for name in LISTED)
    assert stored(db_url) == {
        analysis: (datetime.datetime(2026, 9, 23, tzinfo=shanghai), "2026-09-23", "listing"),
        initiative: (datetime.datetime(2026, 9, 18, tzinfo=shanghai), "2026-09-18", "listing"),
    }
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT news_day FROM news.articles WHERE canonical_url = %s",
                            (analysis,)).fetchone() == (datetime.date(2026, 9, 23),)
        # a later fetch of the page that came without its listing (a revisit), then re-extracted
        conn.execute("UPDATE raw_page SET listed_at = NULL, listed_raw = NULL WHERE url = %s", (analysis,))
    extract_pages(db_url, sites, site_key="undated", reextract=True, workers=1)
    assert stored(db_url)[analysis] == (datetime.datetime(2026, 9, 23, tzinfo=shanghai), "2026-09-23", "listing")


RELATIVE = {"flash": "2小时前", "briefing": "昨天 09:30", "review": "3 ชั่วโมงที่แล้ว", "archive": "20天前"}


def test_relative_listing_dates_count_back_from_the_fetch_and_drive_the_age_window(db_url, tmp_path):
    """"2小时前" on a listing is two hours before the listing was fetched: it dates an undated article, and a
    link "20天前" is past a 7-day window, so it is not fetched."""
    web_root, sites_dir = undated_site(tmp_path, RELATIVE, "relative", "  max_age_days: 7\n")
    shanghai = ZoneInfo("Asia/Shanghai")
    before = datetime.datetime.now(shanghai)
    with FixtureWeb(web_root) as web:
        outcome = crawl(db_url, web, "relative", before.date(), sites_dir=sites_dir)
        fetched = {r.path for r in web.requested(HOST) if r.path.startswith("/news/") and r.path != "/news/"}
    after = datetime.datetime.now(shanghai)
    assert outcome.status == "succeeded", outcome.error
    assert fetched == {"/news/flash.html", "/news/briefing.html", "/news/review.html"}
    assert outcome.stats["links_too_old"] == 1 and outcome.stats["links_date_unreadable"] == 0
    extract_pages(db_url, load_sites(sites_dir), site_key="relative", day=before.date(), workers=1)
    found = {url.rsplit("/", 1)[1].removesuffix(".html"): rest for url, rest in stored(db_url).items()}
    assert set(found) == {"flash", "briefing", "review"}
    assert all(rule == "listing" for _, _, rule in found.values())
    assert before - datetime.timedelta(hours=2) <= found["flash"][0] <= after - datetime.timedelta(hours=2)
    assert before - datetime.timedelta(hours=3) <= found["review"][0] <= after - datetime.timedelta(hours=3)
    yesterdays = {(moment - datetime.timedelta(days=1)).date() for moment in (before, after)}
    briefing = found["briefing"][0].astimezone(shanghai)
    assert briefing.date() in yesterdays and (briefing.hour, briefing.minute) == (9, 30)
    assert found["flash"][1] == "2小时前"
