"""Discovery by itself: `feeds: [auto]` and `sitemaps: [robots]`, as pure helpers and through the real spider on the
fixture web (sites it has no rule for in sites/)."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest

from crawlers.autodiscovery import (FEED_PATHS, candidate_feed_urls, looks_like_feed, page_feed_urls,
                                    robots_sitemaps, robots_url)
from crawlers.rules import parse_crawl_rules
from ingot.fixture_web import FixtureWeb
from ingot.paths import FIXTURE_WEB_DIR
from tests.crawl.helpers import crawl, fixture_sha256, stored_pages

DAY = date(2026, 9, 28)
METALS = "https://news.example-metals.test"
ALLOYS = "https://www.example-alloys.test"
METALS_ARTICLES = {
    f"{METALS}/news/2026/09/27/copper-cathode-premiums-rise-in-shanghai.html",
    f"{METALS}/news/2026/09/26/aluminium-scrap-exports-slow-after-rule-change.html",
    f"{METALS}/news/2026/09/25/zinc-smelter-restarts-second-line.html",
    f"{METALS}/news/2026/09/21/nickel-pig-iron-output-steady.html",
}
ALLOYS_ARTICLES = {f"{ALLOYS}/2026/09/titanium-sponge-prices-firm/",
                   f"{ALLOYS}/2026/09/magnesium-ingot-exports-recover/"}


def write_rule(directory, key, host, crawl_lines):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{key}.yaml").write_text(
        f"key: {key}\nname: {key}\nbase_url: https://{host}/\nlanguages: [en]\ntimezone: UTC\nrule_version: 1\n"
        f"allowed_hosts: [{host}]\nchecked: fixture web only\ncrawl:\n"
        + "".join(f"  {line}\n" for line in crawl_lines),
        encoding="utf-8")
    return directory


# -- pure helpers ----------------------------------------------------------------------------------------------

def test_robots_sitemap_lines_are_absolute_in_file_order_once():
    robots = (b"User-agent: *\nDisallow: /search\nSitemap: https://a.test/news.xml\n"
              b"sitemap: /pages.xml\nSITEMAP: https://a.test/news.xml\n")
    address = robots_url("https://a.test/some/page?x=1")
    assert address == "https://a.test/robots.txt"
    assert robots_sitemaps(robots, address) == ["https://a.test/news.xml", "https://a.test/pages.xml"]
    assert robots_sitemaps(b"User-agent: *\nDisallow:\n", address) == []


def test_page_feed_links_are_rss_and_atom_alternates_without_comment_feeds():
    html = """<html><head><base href="https://a.test/en/">
      <link rel="alternate" type="application/rss+xml" title="News" href="feed.xml">
      <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="https://a.test/atom">
      <link rel="alternate" type="application/rss+xml" title="Comments Feed" href="/comments/feed/">
      <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
      <link rel="stylesheet" type="text/css" href="/style.css">
      <link rel="alternate" type="application/rss+xml" href="feed.xml">
    </head><body><a href="/rss.xml">RSS</a></body></html>"""
    assert page_feed_urls(html, "https://a.test/") == ["https://a.test/en/feed.xml", "https://a.test/atom"]
    assert page_feed_urls("", "https://a.test/") == []


def test_candidate_feed_paths_are_on_the_pages_own_host():
    urls = candidate_feed_urls("https://a.test:8443/home/index.html")
    assert urls == [f"https://a.test:8443{path}" for path in FEED_PATHS]
    assert [u.rsplit(":8443", 1)[1] for u in urls] == ["/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml",
                                                       "/index.xml"]


@pytest.mark.parametrize(("body", "is_feed"), [
    (b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', True),
    (b'\xef\xbb\xbf<?xml version="1.0"?><!-- generator --><feed xmlns="http://www.w3.org/2005/Atom"/>', True),
    (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', True),
    (b"<!DOCTYPE html><html><head><title>Not found</title></head></html>", False),
    (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>', False),
    (b"", False),
])
def test_a_guessed_feed_address_must_answer_a_feed(body, is_feed):
    assert looks_like_feed(body) is is_feed


def test_auto_and_robots_are_the_only_words_accepted_for_urls():
    rules = parse_crawl_rules({"feeds": ["auto", "https://a.test/feed"], "sitemaps": ["robots"]})
    assert rules.feeds_auto and rules.sitemaps_from_robots
    assert rules.feeds == ("https://a.test/feed",) and rules.sitemaps == ()
    for section, where in (({"feeds": ["robots"]}, "crawl.feeds[0]"), ({"sitemaps": ["auto"]}, "crawl.sitemaps[0]"),
                           ({"sitemaps": ["/sitemap.xml"]}, "crawl.sitemaps[0]")):
        with pytest.raises(ValueError, match=re.escape(f"{where}: expected an http(s) URL or the word")):
            parse_crawl_rules(section)


# -- through the spider ----------------------------------------------------------------------------------------

def test_robots_sitemaps_and_the_feeds_the_home_page_names_are_crawled(db_url, fixture_web, tmp_path):
    sites = write_rule(tmp_path / "sites", "metals", "news.example-metals.test",
                       ["feeds: [auto]", "sitemaps: [robots]",
                        r"article_patterns: ['^https://news\.example-metals\.test/news/\d+/\d+/\d+/"
                        r"[a-z0-9-]+\.html$']"])
    outcome = crawl(db_url, fixture_web, "metals", DAY, sites_dir=sites)

    assert outcome.status == "succeeded", outcome.error
    pages = stored_pages(db_url, "metals")
    assert set(pages) == METALS_ARTICLES
    for url, page in pages.items():
        assert page["body_sha256"] == fixture_sha256("news.example-metals.test" + url[len(METALS):])
    paths = [r.path for r in fixture_web.requested("news.example-metals.test")]
    assert {"/", "/feed.xml", "/sitemap-news.xml"} <= set(paths)
    assert "/comments/feed.xml" not in paths and not any(p in paths for p in FEED_PATHS if p != "/feed.xml")
    assert not fixture_web.requested("wire.example.net")  # the home page names a feed on another host
    assert outcome.stats["pages"]["feed"] == 1 and outcome.stats["pages"]["sitemap"] == 1


def test_a_home_page_naming_no_feed_sends_the_crawler_to_the_usual_feed_paths(db_url, fixture_web, tmp_path):
    sites = write_rule(tmp_path / "sites", "alloys", "www.example-alloys.test", ["feeds: [auto]"])
    outcome = crawl(db_url, fixture_web, "alloys", DAY, sites_dir=sites)

    assert outcome.status == "succeeded", outcome.error  # the guesses that are not there are not failures
    assert set(stored_pages(db_url, "alloys")) == ALLOYS_ARTICLES
    paths = [r.path for r in fixture_web.requested("www.example-alloys.test")]
    assert set(FEED_PATHS) <= set(paths)
    feeds = stored_pages(db_url, "alloys", kind="feed")
    assert set(feeds) == {f"{ALLOYS}/atom.xml"}  # /feed answers an HTML "not found" page with 200: not a feed
    assert outcome.stats["errors"] == 0


def test_a_site_where_discovery_finds_nothing_ends_partial_saying_so(db_url, tmp_path):
    web_root = tmp_path / "web"
    shutil.copytree(FIXTURE_WEB_DIR / "www.example-alloys.test", web_root / "www.example-alloys.test")
    (web_root / "www.example-alloys.test" / "atom.xml").unlink()
    sites = write_rule(tmp_path / "sites", "alloys", "www.example-alloys.test", ["feeds: [auto]", "sitemaps: [robots]"])
    with FixtureWeb(web_root) as web:
        outcome = crawl(db_url, web, "alloys", DAY, sites_dir=sites)

    assert outcome.status == "partial"
    assert "no feed named by the home page nor at /feed, /rss, /rss.xml, /feed.xml, /atom.xml, /index.xml" \
        in str(outcome.stats["failed_urls"])
    assert "robots.txt names no sitemap here (none)" in str(outcome.stats["failed_urls"])
    assert outcome.stats["errors"] == 2 and stored_pages(db_url, "alloys") == {}
