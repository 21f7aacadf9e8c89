"""Sitemap and feed discovery on real and damaged inputs (pure functions): feedparser's own test feeds, Scrapy's
sitemap shapes, and copies cut, emptied, mislabelled or oversized at test time."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import feedparser
import pytest

from bench.check_realweb_discovery import link_claims, served_as
from crawlers.discovery import NOT_ARTICLE_RELS, article_link, parse_feed, parse_sitemap
from crawlers.documents import unpack
from ingot.paths import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "tests" / "fixtures" / "realweb" / "feedparser"
CORPUS_FILES = sorted(path for path in CORPUS.rglob("*") if path.is_file())
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(count: int, *, prefix: str = "https://a.example/page_") -> bytes:
    rows = "".join(f"<url><loc>{prefix}{n}</loc><lastmod>2026-09-28</lastmod></url>\n" for n in range(count))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>\n{rows}</urlset>\n'.encode()


def urls(sitemap) -> list[str]:
    return [link.url for link in sitemap.links]


# -- feedparser's corpus ---------------------------------------------------------------------------------------

def test_the_corpus_subset_is_here_with_its_licence():
    assert (CORPUS / "LICENSE").is_file() and len(CORPUS_FILES) >= 30


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.relative_to(CORPUS).as_posix())
def test_no_corpus_file_raises_and_entry_links_are_the_expected_ones(path: Path):
    body = path.read_bytes()
    text = body.decode("utf-8", "ignore")
    url, headers = served_as(CORPUS, path, text)
    links, problem = parse_feed(body, url, "UTC", headers=headers)
    sitemap = parse_sitemap(body, "UTC", base_url=url, headers=headers)
    assert sitemap.problem is None or isinstance(sitemap.problem, str)
    if "/wellformed/" in path.as_posix():
        assert problem is None, problem  # a well-formed feed never makes a run partial
    parsed = feedparser.parse(body)
    found = [link.url for link in links]
    for index, expected in link_claims(text, parsed.entries).items():
        assert expected in found, (index, expected, found)
    non_article = {link["href"] for entry in parsed.entries for link in entry.get("links", [])
                   if link.get("rel") in NOT_ARTICLE_RELS and link.get("href")}
    article = {link["href"] for entry in parsed.entries for link in entry.get("links", [])
               if link.get("rel") == "alternate" and link.get("href")}
    assert not set(found) & (non_article - article), found


@pytest.mark.parametrize(("name", "expected"), [
    ("atom10/entry_link_rel_enclosure_no_href.xml", ["http://www.example.com/alternate"] * 2),
    ("atom10/entry_link_no_href_link_priority.xml", ["http://www.example.com/alternate"] * 2),
    ("atom10/entry_link_alternate_map_link_3.xml", ["http://www.example.com/alternate"]),
    ("atom10/entry_link_rel_enclosure.xml", []),
    ("atom10/entry_link_rel_self.xml", []),
    ("atom10/entry_link_rel_related.xml", []),
    ("atom10/entry_link_rel_via.xml", []),
    ("atom10/entry_link_rel_license.xml", []),
    ("psc/atomsimplechapter.xml", ["http://podlove.org/podcast/1"]),  # not its .mp3 enclosure
    ("rss/item_enclosure_multiple.xml", ["http://example.com/"]),
    ("rdf/rdf_item_link.xml", ["http://example.com/1"]),
    ("cdf/item_href_map_link.xml", ["http://www.example.org/"]),
])
def test_the_article_link_of_an_entry_is_never_an_enclosure_self_related_via_or_licence(name, expected):
    links, problem = parse_feed((CORPUS / "tests" / "wellformed" / name).read_bytes(), "http://127.0.0.1/f", "UTC")
    assert [link.url for link in links] == expected and problem is None


def test_article_link_prefers_an_html_alternate_and_refuses_non_article_links():
    mp3 = {"rel": "enclosure", "type": "audio/mpeg", "href": "https://a.example/x.mp3"}
    assert article_link({"link": "https://a.example/x.mp3", "links": [mp3]}) is None
    alternate_pdf = {"rel": "alternate", "type": "application/pdf", "href": "https://a.example/x.pdf"}
    page = {"rel": "alternate", "href": "https://a.example/x.html"}
    assert article_link({"link": "https://a.example/x.pdf", "links": [alternate_pdf, page]}) == page["href"]
    assert article_link({"link": "https://a.example/guid"}) == "https://a.example/guid"  # a permalink guid
    assert article_link({}) is None


def test_relative_entry_links_resolve_against_content_location_or_the_document_url():
    base = CORPUS / "tests" / "wellformed" / "base"
    body = (base / "http_item_link_base_content_location.xml").read_bytes()
    location = {"Content-Location": "http://example.com/"}
    [link] = parse_feed(body, "http://127.0.0.1:8097/feed", "UTC", headers=location)[0]
    assert link.url == "http://example.com/relative/uri"
    [link] = parse_feed(body, "http://127.0.0.1:8097/feed", "UTC")[0]
    assert link.url == "http://127.0.0.1:8097/relative/uri"
    relative_location = parse_feed(body, "https://a.example/feeds/x.xml", "UTC",
                                   headers={"Content-Location": "/elsewhere/"})[0]
    assert [link.url for link in relative_location] == ["https://a.example/relative/uri"]
    xml_base = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/news/"><entry>
      <link rel="alternate" href="2026/story.html"/></entry></feed>"""
    assert [link.url for link in parse_feed(xml_base, "https://a.example/feed/", "UTC")[0]] == [
        "https://a.example/news/2026/story.html"]


def test_a_gbk_feed_declared_only_in_the_http_header_is_read_with_that_charset():
    rss = '<rss version="2.0"><channel><item><title>钢铁</title><link>https://a.example/钢铁.html</link></item>' \
          '</channel></rss>'
    links, problem = parse_feed(rss.encode("gbk"), "https://a.example/feed", "UTC",
                                headers={"Content-Type": "application/rss+xml; charset=gbk"})
    assert [link.url for link in links] == ["https://a.example/钢铁.html"] and problem is None


def test_a_damaged_extension_that_makes_feedparser_raise_is_read_without_it():
    """feedparser's GeoRSS handler raises (TypeError) on a polygon with a bad number: the entry is read again
    without its extension elements, its link kept."""
    polygon = (CORPUS / "tests" / "wellformed" / "geo" / "gml_polygon.xml").read_bytes()
    damaged = polygon.replace(b"31.765699", b"31B765699").replace(b"<entry>", b'<entry><link href="/1.html"/>')
    with pytest.raises(TypeError):
        feedparser.parse(damaged)
    links, problem = parse_feed(damaged, "https://a.example/feed", "UTC")
    assert [link.url for link in links] == ["https://a.example/1.html"] and problem is None


# -- feeds: what counts as lost ----------------------------------------------------------------------------------

def test_rss_1_items_and_entries_without_links_are_not_losses():
    """``<items>`` (the RDF sequence) is no entry, an entry without a link loses nothing: a benign bozo flag
    (the declared encoding overridden) leaves a clean feed clean."""
    rdf = ('<?xml version="1.0" encoding="us-ascii"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
           ' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://a.example/"><title>Café</title><items>'
           '<rdf:Seq><rdf:li resource="https://a.example/1"/><rdf:li resource="https://a.example/2"/></rdf:Seq>'
           '</items></channel><item rdf:about="https://a.example/1"><title>one</title><link>https://a.example/1'
           '</link></item><item rdf:about="https://a.example/2"><title>two, no link</title></item></rdf:RDF>')
    links, problem = parse_feed(rdf.encode("utf-8"), "https://a.example/index.rdf", "UTC")
    assert [link.url for link in links] == ["https://a.example/1"] and problem is None


def test_a_feed_cut_in_a_link_never_gives_the_cut_link():
    items = "".join(f"<item><title>{n}</title><link>https://a.example/news/{n}.html</link></item>" for n in range(3))
    whole = f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()
    cut = whole[:whole.index(b"/news/2.html") + len(b"/news/")]
    links, problem = parse_feed(cut, "https://a.example/feed", "UTC")
    assert [link.url for link in links] == ["https://a.example/news/0.html", "https://a.example/news/1.html"]
    assert problem == f"feed cut at byte {len(cut)}, 3 entries read (<rss> not closed)"
    links, problem = parse_feed(cut, "https://a.example/feed", "UTC", cut="response cut short of its Content-Length")
    assert problem.endswith("(response cut short of its Content-Length)") and len(links) == 2


def test_a_feed_whose_root_end_tag_lacks_only_its_bracket_is_whole():
    links, problem = parse_feed(b'<rss version="2.0"><channel><item><link>https://a.example/1</link></item>'
                                b"</channel></rss", "https://a.example/feed", "UTC")
    assert len(links) == 1 and problem is None


def test_an_html_page_an_empty_body_or_a_sitemap_at_a_feed_url_is_a_problem():
    assert parse_feed(b"", "https://a.example/feed", "UTC") == ([], "empty body")
    page = b"<!DOCTYPE html>\n<html><head><title>Not found</title></head><body><p>gone</p></body></html>"
    assert parse_feed(page, "https://a.example/feed", "UTC") == ([], "not a feed: HTML page")
    assert parse_feed(urlset(2), "https://a.example/feed", "UTC") == (
        [], "not a feed: a sitemap (<urlset>), list it under sitemaps")


# -- sitemaps: damaged ------------------------------------------------------------------------------------------

def test_a_truncated_xml_gz_keeps_every_location_before_the_cut():
    document = urlset(1000)
    packed = gzip.compress(document, mtime=0)
    sitemap = parse_sitemap(packed[:len(packed) // 2], "UTC")
    read = urls(sitemap)
    assert 300 < len(read) < 1000
    assert read == [f"https://a.example/page_{n}" for n in range(len(read))]  # a prefix, each location whole
    assert sitemap.problem.startswith("sitemap cut at byte ")
    assert sitemap.problem.endswith(f", {len(read)} locations read (gzip stream ended early)")
    assert len(urls(parse_sitemap(packed, "UTC"))) == 1000


@pytest.mark.parametrize("cut_after", [b"https://a.example/page_7", b"https://a.example/page_7</loc><lastmod>2026",
                                       b"page_6</loc><lastmod>2026-09-28</lastmod></url>\n<url><loc>",
                                       b"https://a.example/page_7</loc><lastmod>2026-09-28</lastmod>"])
def test_a_sitemap_cut_mid_document_never_gives_a_location_that_was_not_closed(cut_after):
    document = urlset(10)
    cut = document[:document.index(cut_after) + len(cut_after)]
    sitemap = parse_sitemap(cut, "UTC")
    complete = cut_after.endswith((b"</loc><lastmod>2026", b"</lastmod>"))
    assert urls(sitemap) == [f"https://a.example/page_{n}" for n in range(8 if complete else 7)]
    assert sitemap.problem == (f"sitemap cut at byte {len(cut)}, {len(sitemap.links)} locations read "
                               "(<urlset> not closed)")
    assert all(link.date_raw in (None, "2026-09-28") for link in sitemap.links)  # never a date cut to "2026"


def test_a_gzip_stream_cut_inside_a_location_drops_that_location():
    document = urlset(10)
    cut = document.index(b"page_7") + 4
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    stream = packer.compress(document[:cut]) + packer.flush(zlib.Z_SYNC_FLUSH)
    sitemap = parse_sitemap(stream, "UTC")
    assert urls(sitemap) == [f"https://a.example/page_{n}" for n in range(7)]
    assert sitemap.problem == f"sitemap cut at byte {cut}, 7 locations read (gzip stream ended early)"


def test_a_malformed_but_whole_sitemap_says_how_many_of_how_many_were_read():
    rows = "".join(f"<url><loc>https://a.example/{n}</loc></url>" for n in range(10))
    broken = f"<urlset {NS}>{rows}</urlset>".replace("<loc>https://a.example/4", "<!-- <loc>https://a.example/4")
    sitemap = parse_sitemap(broken.encode(), "UTC")
    assert sitemap.problem.startswith("malformed sitemap XML (")
    assert sitemap.problem.endswith(f", {len(sitemap.links)} of 10 locations read")
    quirk = f"<urlset {NS}>{rows}</urlset>".replace("https://a.example/4", "https://a.example/4?a=1&b=2")
    assert parse_sitemap(quirk.encode(), "UTC").problem is None  # a bare & loses nothing


def test_a_sitemap_over_the_unpacked_limit_says_so():
    document = urlset(40_000)
    assert len(document) > 1024 * 1024
    for body in (document, gzip.compress(document)):
        sitemap = parse_sitemap(body, "UTC", max_bytes=1024 * 1024)
        assert sitemap.problem == f"larger than 1 MB unpacked, read the first 1 MB: {len(sitemap.links)} locations"
        assert 10_000 < len(sitemap.links) < 40_000
        assert urls(sitemap) == [f"https://a.example/page_{n}" for n in range(len(sitemap.links))]


def test_gzip_members_concatenated_and_a_corrupt_stream():
    first, second = urlset(3)[:60], urlset(3)[60:]
    assert urls(parse_sitemap(gzip.compress(first) + gzip.compress(second), "UTC")) == [
        f"https://a.example/page_{n}" for n in range(3)]
    packed = bytearray(gzip.compress(urlset(3), mtime=0))
    packed[-8] ^= 0xFF  # the CRC no longer matches
    sitemap = parse_sitemap(bytes(packed), "UTC")
    assert len(sitemap.links) == 3 and "gzip stream corrupt" in sitemap.problem
    assert unpack(b"\x1f\x8b\x08", 100).gzip_damage == "ended early"


# -- sitemaps: mislabelled and quirky ----------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "problem"), [
    (b"", "empty body"),
    (b"  \r\n", "empty body"),
    (gzip.compress(b""), "empty body"),
    (b"<!DOCTYPE html><html><head><title>Home</title></head><body></body></html>", "not a sitemap: HTML page"),
    (b"<html><body>Sitemap moved</body></html>", "not a sitemap: HTML page"),
    (b'<?xml version="1.0"?><opml version="2.0"><body/></opml>', "not a sitemap: root element <opml>"),
    (b'{"urls": ["https://a.example/1"]}', "not a sitemap: neither XML nor a list of URLs"),
])
def test_a_body_that_is_no_sitemap_is_a_problem_with_its_reason(body, problem):
    sitemap = parse_sitemap(body, "UTC")
    assert sitemap.links == () and sitemap.problem == problem


@pytest.mark.parametrize("feed", [
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><link>https://a.example/1</link></item></channel></rss>',
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="/1"/></entry></feed>',
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item>'
    b"<link>https://a.example/1</link></item></rdf:RDF>",
])
def test_a_feed_listed_as_a_sitemap_is_read_as_a_feed(feed):
    for body in (feed, gzip.compress(feed)):
        sitemap = parse_sitemap(body, "UTC", base_url="https://a.example/sitemap.xml")
        assert sitemap.is_feed and not sitemap.is_index and sitemap.problem is None
        assert urls(sitemap) == ["https://a.example/1"]


def test_a_plain_text_sitemap_is_a_list_of_urls():
    sitemap = parse_sitemap(b"https://a.example/1\r\nhttps://a.example/2\n\n", "UTC")
    assert urls(sitemap) == ["https://a.example/1", "https://a.example/2"] and sitemap.problem is None
    cut = parse_sitemap(b"https://a.example/1\nhttps://a.exa", "UTC", cut="response cut short of its Content-Length")
    assert urls(cut) == ["https://a.example/1"] and cut.problem.startswith("sitemap cut at byte")


def test_scrapy_sitemap_shapes_read_whole():
    """Blank lines before the declaration, comments, a wrong namespace, a prefixed namespace, a generator's
    comment after the root, image locations beside page locations, UTF-16, a PHP notice before the document,
    relative locations."""
    blank = (b'\n<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex ' + NS.encode() + b'>\n<!-- cache -->\n'
             b"<sitemap><loc>http://www.example.com/sitemap1.xml</loc></sitemap>\n<!-- end cache -->\n"
             b"</sitemapindex>\n")
    index = parse_sitemap(blank, "UTC")
    assert index.is_index and urls(index) == ["http://www.example.com/sitemap1.xml"] and index.problem is None
    wrong_ns = (b'<urlset xmlns="http://www.google.com/schemas/sitemap/0.84"><url xmlns=""><loc> http://www.example'
                b".com/</loc><lastmod /></url></urlset>")
    assert urls(parse_sitemap(wrong_ns, "UTC")) == ["http://www.example.com/"]
    prefixed = (b'<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"><sm:url><sm:loc>https://a.example/'
                b"1</sm:loc></sm:url></sm:urlset><!-- XML Sitemap generated by Yoast SEO -->")
    assert urls(parse_sitemap(prefixed, "UTC")) == ["https://a.example/1"]
    images = (b'<urlset ' + NS.encode() + b' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"><url>'
              b"<loc>https://a.example/1</loc><image:image><image:loc>https://a.example/1.jpg</image:loc>"
              b"</image:image></url></urlset>")
    with_images = parse_sitemap(images, "UTC")
    assert with_images.problem is None and urls(with_images) == ["https://a.example/1"]
    utf16 = urlset(3).decode().encode("utf-16")
    assert urls(parse_sitemap(utf16, "UTC")) == [f"https://a.example/page_{n}" for n in range(3)]
    junk = b"<br />\n<b>Notice</b>: Undefined index: lang in /var/www/sitemap.php on line 3<br />\n" + urlset(2)
    assert urls(parse_sitemap(junk, "UTC")) == ["https://a.example/page_0", "https://a.example/page_1"]
    relative = f"<urlset {NS}><url><loc>/news/1.html</loc></url></urlset>".encode()
    assert urls(parse_sitemap(relative, "UTC", base_url="https://a.example/sitemap.xml")) == [
        "https://a.example/news/1.html"]
