"""Broken discovery documents: what was lost is said, a quirk that loses nothing is not (pure helpers)."""

from crawlers.discovery import parse_feed, parse_sitemap

ITEM = "<item><title>t</title><link>https://a.example/news/{n}.html</link></item>"


def feed(items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()


def test_broken_feed_xml_keeps_the_entries_before_the_break_and_names_the_loss():
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>' + ITEM.format(n=1)
            + ITEM.format(n=2) + "<item><title>cut &amp no end <link>https://a.example/news/3.html</li").encode()
    links, problem = parse_feed(body, "https://a.example/feed", "UTC")
    assert [link.url for link in links] == ["https://a.example/news/1.html", "https://a.example/news/2.html"]
    assert problem == "feed cut at byte 275, 2 entries read (<rss> not closed)"  # how many were written is unknown


def test_a_bare_ampersand_in_a_feed_loses_nothing_and_is_not_a_problem():
    links, problem = parse_feed(feed(ITEM.format(n="1?a=1&b=2")), "https://a.example/feed", "UTC")
    assert len(links) == 1 and problem is None


def test_a_sitemap_cut_short_names_how_many_locations_were_read():
    rows = "".join(f"<url><loc>https://a.example/{n}.html</loc></url>" for n in range(3))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'.encode()
    assert parse_sitemap(body, "UTC").problem is None
    broken = parse_sitemap(body[:-30] + b"<url><loc>https://a.example/x", "UTC")
    assert broken.problem == "sitemap cut at byte 206, 2 locations read (<urlset> not closed)"
    assert [link.url for link in broken.links] == ["https://a.example/0.html", "https://a.example/1.html"]
