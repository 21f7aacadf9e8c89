"""Pure helpers for discovery by itself: the sitemaps a robots.txt names, the feeds a page names, and the usual
feed addresses to try when it names none. No I/O: the spider (``feeds: [auto]``, ``sitemaps: [robots]``) and
``ingot sites discover`` / ``check`` issue the requests.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from protego import Protego

# Where feed software puts its feed when a home page does not say (WordPress, Hugo, Jekyll, Ghost, Drupal...).
FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml")
# A feed's root element, after an optional BOM, XML declaration, comments and processing instructions.
_FEED_ROOT = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*"
                        rb"<(?:[\w-]+:)?(rss|feed|RDF)\b", re.S)
_COMMENTS_FEED = re.compile(r"comments?", re.I)


def robots_url(url: str) -> str:
    """The robots.txt that governs ``url``: its scheme and host (with port), path ``/robots.txt``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def robots_sitemaps(robots_txt: bytes | str, robots_address: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt (read by protego, Scrapy's robots parser), made absolute against
    the robots.txt's own address, in file order, without repeats."""
    text = robots_txt.decode("utf-8", "replace") if isinstance(robots_txt, bytes) else robots_txt
    found = []
    for line in Protego.parse(text).sitemaps:
        url = urljoin(robots_address, line.strip())
        if url.startswith(("http://", "https://")) and url not in found:
            found.append(url)
    return found


def page_feed_urls(html: str, page_url: str) -> list[str]:
    """The RSS and Atom feeds a page names in ``<link rel="alternate" type="application/rss+xml|atom+xml">``,
    absolute (against ``<base href>`` when the page sets one), in page order, without repeats.

    Comment feeds (WordPress names "Comments Feed" beside the posts feed) are left out: their entries are
    comments, not articles.
    """
    if not html.strip():
        return []
    page = Selector(text=html)
    base = urljoin(page_url, (page.css("base::attr(href)").get() or "").strip())
    found = []
    for link in page.xpath("//link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        href = link.attrib["href"].strip()
        if not href or _COMMENTS_FEED.search(link.attrib.get("title") or "") or "/comments/" in href:
            continue
        url = urljoin(base, href)
        if url.startswith(("http://", "https://")) and url not in found:
            found.append(url)
    return found


def candidate_feed_urls(url: str) -> list[str]:
    """The usual feed addresses on ``url``'s scheme and host, tried when a home page names no feed."""
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}{path}" for path in FEED_PATHS]


def looks_like_feed(body: bytes) -> bool:
    """True when the document's root element is RSS, Atom or RDF: a guessed feed address that answers with an
    HTML page (a "not found" page served with 200, a home page) is not a feed."""
    return bool(_FEED_ROOT.match(body[:4096].lstrip()))
