"""Damaged and mislabelled sitemaps and feeds, crawled by the real spider on a loopback web: what a damaged
document still holds is fetched, a link cut in the middle never is, and the run says what was lost (``partial``,
one failure under the document's URL); a healthy quirk (a feed listed as a sitemap) loses nothing."""

from __future__ import annotations

import gzip
import shutil
import zlib
from datetime import date
from pathlib import Path

import pytest

from ingot.fixture_web import FixtureWeb
from ingot.paths import FIXTURE_WEB_DIR, PROJECT_ROOT, SITES_DIR
from tests.crawl.helpers import crawl, stored_pages
from tests.reliability.faultsite import SITE_RULE, article_html, english_paragraphs, put

DAY = date(2026, 9, 28)
HOST = "www.sitemapfaults.com"
BASE = f"https://{HOST}"
PAGES = 20
CUT_ENTRY = 12  # the entry whose <loc> the damaged copies cut in the middle
CORPUS = PROJECT_ROOT / "tests" / "fixtures" / "realweb" / "feedparser" / "tests" / "wellformed"
FAST = {"RETRY_TIMES": "1", "DOWNLOAD_TIMEOUT": "5"}


def page_url(number: int) -> str:
    return f"{BASE}/news/page_{number:03d}.html"


def urlset(count: int = PAGES) -> bytes:
    rows = "".join(f"<url><loc>{page_url(n)}</loc><lastmod>2026-09-28T08:00:00+08:00</lastmod></url>\n"
                   for n in range(count))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"\n{rows}</urlset>\n").encode()


def gzip_cut_inside_a_location(document: bytes) -> bytes:
    """A gzip stream of ``document`` that ends (no end-of-stream marker) in the middle of entry ``CUT_ENTRY``'s
    location, at ``.../page_0``: a flush point is set there and the stream cut after it, as a download or a
    writer that died would leave it."""
    cut = document.index(page_url(CUT_ENTRY).encode()) + len(f"{BASE}/news/page_0")
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = packer.compress(document[:cut]) + packer.flush(zlib.Z_SYNC_FLUSH)
    return head


@pytest.fixture
def site(tmp_path):
    """A site whose only discovery document is ``/sitemap.xml`` (written by each test), and its articles."""
    web, sites = tmp_path / "web", tmp_path / "sites"
    put(web, HOST, "/robots.txt", b"User-agent: *\nAllow: /\n")
    for number in range(PAGES):
        put(web, HOST, f"/news/page_{number:03d}.html",
            article_html(f"Story {number}", english_paragraphs(f"page {number}")).encode())
    write_rule(sites, "sitemapfaults", HOST, f"  sitemaps: [{BASE}/sitemap.xml]")
    return web, sites


def write_rule(sites: Path, key: str, hosts: str, crawl_section: str) -> None:
    sites.mkdir(parents=True, exist_ok=True)
    rule = SITE_RULE.format(key=key, name=key, host=hosts.split(",")[0].strip(), crawl=crawl_section, revisit=0)
    (sites / f"{key}.yaml").write_text(rule.replace(f"allowed_hosts: [{hosts.split(',')[0].strip()}]",
                                                    f"allowed_hosts: [{hosts}]"), encoding="utf-8")


def requested_paths(web: FixtureWeb, host: str = HOST) -> set[str]:
    return {request.path for request in web.requested(host)}


def test_a_truncated_xml_gz_served_without_content_encoding_gives_the_urls_before_the_cut(db_url, site):
    web_root, sites = site
    put(web_root, HOST, "/sitemap.xml", gzip_cut_inside_a_location(urlset()),
        {"headers": {"Content-Type": "application/x-gzip"}})
    with FixtureWeb(web_root) as web:
        outcome = crawl(db_url, web, "sitemapfaults", DAY, sites_dir=sites)
        paths = requested_paths(web)
    assert outcome.status == "partial"
    assert set(stored_pages(db_url, "sitemapfaults")) == {page_url(n) for n in range(CUT_ENTRY)}
    assert "/news/page_0" not in paths  # the location cut in the middle is never fetched
    reason = outcome.stats["failed_urls"][f"{BASE}/sitemap.xml"]
    assert reason.startswith("sitemap cut at byte ") and f", {CUT_ENTRY} locations read (gzip stream ended early)" \
        in reason
    assert outcome.stats["errors"] == 1 and "cut at byte" in outcome.error


@pytest.mark.parametrize("transport_cut", [False, True], ids=["gzip-file-cut", "download-cut"])
def test_a_gzip_sitemap_cut_under_content_encoding_makes_the_run_partial(db_url, site, transport_cut):
    """Scrapy unpacks a Content-Encoding: gzip body and gives what a cut stream held, silently: the document's
    own open root tells the cut. A download cut short of its Content-Length is retried, then read as it came."""
    web_root, sites = site
    if transport_cut:
        whole = gzip.compress(urlset(), mtime=0)
        sent = len(gzip_cut_inside_a_location(urlset()))
        put(web_root, HOST, "/sitemap.xml", whole, {"headers": {"Content-Encoding": "gzip"}, "truncate": sent})
    else:
        put(web_root, HOST, "/sitemap.xml", gzip_cut_inside_a_location(urlset()),
            {"headers": {"Content-Encoding": "gzip"}})
    with FixtureWeb(web_root) as web:
        outcome = crawl(db_url, web, "sitemapfaults", DAY, sites_dir=sites, overrides=FAST)
        sitemap_fetches = [r for r in web.requested(HOST) if r.path == "/sitemap.xml"]
        paths = requested_paths(web)
    assert outcome.status == "partial"
    reason = outcome.stats["failed_urls"][f"{BASE}/sitemap.xml"]
    cause = "response cut short of its Content-Length" if transport_cut else "<urlset> not closed"
    assert reason.startswith("sitemap cut at byte ") and reason.endswith(f"locations read ({cause})")
    assert len(sitemap_fetches) == (2 if transport_cut else 1)  # a cut download is retried (RETRY_TIMES 1)
    stored = set(stored_pages(db_url, "sitemapfaults"))
    assert 0 < len(stored) < PAGES and stored == {page_url(n) for n in range(len(stored))}
    real_pages = {f"/news/page_{n:03d}.html" for n in range(PAGES)}
    assert {path for path in paths if path.startswith("/news/")} <= real_pages  # no location cut in the middle


def test_an_empty_sitemap_is_one_failure_under_its_url(db_url, site):
    web_root, sites = site
    put(web_root, HOST, "/sitemap.xml", b"")
    with FixtureWeb(web_root) as web:
        outcome = crawl(db_url, web, "sitemapfaults", DAY, sites_dir=sites)
    assert outcome.status == "partial"
    assert outcome.stats["errors"] == 1
    assert outcome.stats["failed_urls"] == {f"{BASE}/sitemap.xml": "empty body"}


def test_an_html_page_under_sitemaps_is_recorded_as_not_a_sitemap(db_url, site):
    web_root, sites = site
    put(web_root, HOST, "/sitemap.xml", b"<!DOCTYPE html><html><head><title>Moved</title></head><body></body></html>",
        {"headers": {"Content-Type": "text/html; charset=utf-8"}})
    with FixtureWeb(web_root) as web:
        outcome = crawl(db_url, web, "sitemapfaults", DAY, sites_dir=sites)
    assert outcome.status == "partial"
    assert outcome.stats["failed_urls"] == {f"{BASE}/sitemap.xml": "not a sitemap: HTML page"}


def test_a_chain_of_sitemap_indexes_stops_at_the_depth_limit(db_url, site):
    from crawlers.spiders.news import SITEMAP_MAX_DEPTH

    web_root, sites = site
    index = ('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{}</loc></sitemap>'
             '</sitemapindex>')
    put(web_root, HOST, "/sitemap.xml", index.format(f"{BASE}/index-1.xml").encode())
    for level in range(1, 10):
        put(web_root, HOST, f"/index-{level}.xml", index.format(f"{BASE}/index-{level + 1}.xml").encode())
    with FixtureWeb(web_root) as web:
        outcome = crawl(db_url, web, "sitemapfaults", DAY, sites_dir=sites)
        paths = requested_paths(web)
    assert {f"/index-{level}.xml" for level in range(1, SITEMAP_MAX_DEPTH + 1)} <= paths
    assert f"/index-{SITEMAP_MAX_DEPTH + 1}.xml" not in paths
    assert outcome.status == "partial"
    assert outcome.stats["failed_urls"] == {
        f"{BASE}/index-{SITEMAP_MAX_DEPTH}.xml":
            f"sitemap index nested deeper than {SITEMAP_MAX_DEPTH} levels: its 1 sitemap(s) not followed"}


def test_an_rss_feed_listed_under_sitemaps_is_read_as_a_feed(db_url, fixture_web, tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    rule = (SITES_DIR / "worldsteel.yaml").read_text(encoding="utf-8")
    (sites / "worldsteel.yaml").write_text(rule.replace("  feeds: [https://worldsteel.org/feed/]",
                                                        "  sitemaps: [https://worldsteel.org/feed/]"),
                                           encoding="utf-8")
    outcome = crawl(db_url, fixture_web, "worldsteel", DAY, sites_dir=sites)
    assert outcome.status == "succeeded" and outcome.error is None
    assert set(stored_pages(db_url, "worldsteel")) == {
        "https://worldsteel.org/media/press-releases/2026/august-2026-crude-steel-production/",
        "https://worldsteel.org/media/press-releases/2026/worldsteel-publishes-sustainability-indicators-2026/"}
    assert stored_pages(db_url, "worldsteel", kind="sitemap")  # stored as what it was listed as


def test_feeds_of_feedparser_corpus_never_fetch_enclosures(db_url, tmp_path):
    """Real corpus feeds: an Atom entry whose enclosure comes first (feedparser makes it ``entry.link``) and a
    podcast entry with an .mp3 enclosure; only the entries' article pages are fetched."""
    web_root, sites = tmp_path / "web", tmp_path / "sites"
    shutil.copy(CORPUS / "atom10" / "entry_link_rel_enclosure_no_href.xml",
                put(web_root, "www.example.com", "/feed.xml", b""))
    shutil.copy(CORPUS / "psc" / "atomsimplechapter.xml", put(web_root, "podlove.org", "/feed.xml", b""))
    for host, path in (("www.example.com", "/alternate"), ("www.example.com", "/enclosure"),
                       ("podlove.org", "/podcast/1"), ("podlove.org", "/files/fiatlux.mp3")):
        put(web_root, host, path, article_html(path, english_paragraphs(path)).encode(),
            {"headers": {"Content-Type": "text/html; charset=utf-8"}})
    write_rule(sites, "corpusfeeds", "www.example.com, podlove.org",
               "  feeds: [http://www.example.com/feed.xml, http://podlove.org/feed.xml]")
    with FixtureWeb(web_root) as web:
        outcome = crawl(db_url, web, "corpusfeeds", DAY, sites_dir=sites)
        fetched = {request.url for request in web.requested() if not request.path.endswith(("robots.txt", "feed.xml"))}
    assert fetched == {"www.example.com/alternate", "podlove.org/podcast/1"}
    assert outcome.status == "succeeded"
    assert set(stored_pages(db_url, "corpusfeeds")) == {"http://www.example.com/alternate",
                                                          "http://podlove.org/podcast/1"}


def test_a_callback_error_is_one_failure_under_the_page_url(db_url, fixture_web, tmp_path):
    """A hook that cannot read its list reply (not JSON) raises in the callback: recorded once, under the list
    URL, with the error's name and message."""
    web_root = tmp_path / "web"
    shutil.copytree(FIXTURE_WEB_DIR / "www.chinaisa.org.cn", web_root / "www.chinaisa.org.cn")
    portal = web_root / "www.chinaisa.org.cn" / "gxportal" / "xfpt" / "portal"
    reply = portal / "getColumnList@POST@body-9a5d324ab465c73b"
    reply.write_bytes(b"<html><body>Service temporarily unavailable</body></html>")
    with FixtureWeb(web_root) as web:
        outcome = crawl(db_url, web, "chinaisa", DAY)
    assert outcome.stats["errors"] == 1
    [(url, reason)] = outcome.stats["failed_urls"].items()
    assert url == "https://www.chinaisa.org.cn/gxportal/xfpt/portal/getColumnList"
    assert reason.startswith("spider error JSONDecodeError: ")
