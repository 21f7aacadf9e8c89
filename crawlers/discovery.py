"""Pure discovery helpers: article links out of feeds, sitemaps and listing pages. No I/O, no Scrapy objects."""

from __future__ import annotations

import gzip
import html
import io
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

import feedparser
from lxml import etree
from parsel import Selector
from w3lib.html import get_base_url

from crawlers.dates import parse_feed_date, parse_list_date

SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit for an uncompressed file
HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)
XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)", re.I)
_HEAD_END = re.compile(rb"</head\s*>", re.I)
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_LINK_TAG = re.compile(rb"<link\b([^>]*)>", re.I)
_ATTRIBUTE = re.compile(rb"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


@dataclass(frozen=True)
class Link:
    """A discovered article link and the date its source printed beside it (raw, and parsed when possible)."""

    url: str
    date_raw: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class Sitemap:
    is_index: bool
    links: tuple[Link, ...]  # sitemap URLs for an index, page URLs for a urlset
    is_news: bool = False
    problem: str | None = None  # the XML was malformed and read only as far as it could be recovered


def feed_links(body: bytes, base_url: str, timezone: str) -> list[Link]:
    """Entry links of an RSS or Atom document, with their raw and parsed dates."""
    return parse_feed(body, base_url, timezone)[0]


def parse_feed(body: bytes, base_url: str, timezone: str) -> tuple[list[Link], str | None]:
    """Entry links of an RSS or Atom document, with their raw and parsed dates, and what was lost to broken XML
    (None when every entry was read: feedparser's loose parser shrugs off quirks such as a bare ``&``): a broken
    feed still gives the entries before the break.

    feedparser leaves ``published_parsed`` empty for shapes like SMM's ``13:54:00 Jan 21, 2026``, so the raw
    string is parsed here.
    """
    parsed = feedparser.parse(body)
    links = []
    for entry in parsed.entries:
        href = entry.get("link") or next(
            (link.get("href") for link in entry.get("links", []) if link.get("href")), None
        )
        if not href:
            continue
        raw = entry.get("published") or entry.get("updated") or entry.get("dc_date")
        links.append(Link(urljoin(base_url, href.strip()), raw, parse_feed_date(raw, timezone)))
    problem = None
    written = body.count(b"<item") + body.count(b"<entry")
    if parsed.get("bozo") and len(links) < written:  # entries lost, or cut off before their link
        error = parsed.get("bozo_exception")
        problem = (f"malformed feed XML, {len(links)} of {written} entries read "
                   f"({type(error).__name__}: {str(error)[:120]})")
    return links, problem


def parse_sitemap(body: bytes, timezone: str) -> Sitemap:
    """A sitemap index or urlset; Google-News entries carry ``news:publication_date`` as their date, others
    ``lastmod``. Entities are never resolved (XXE), gzip bodies are unpacked up to the protocol's size limit."""
    if body[:2] == b"\x1f\x8b":
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as unpacked:
            body = unpacked.read(SITEMAP_MAX_BYTES)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, remove_comments=True)
    root = etree.fromstring(body.strip(), parser=parser)
    errors = [entry for entry in parser.error_log if entry.level >= etree.ErrorLevels.ERROR]
    problem = f"malformed sitemap XML ({errors[0].message[:120]})" if errors else None
    if root is None:
        return Sitemap(False, (), problem=problem or "not XML")
    written = body.count(b"<loc")
    is_index = etree.QName(root).localname == "sitemapindex"
    links, is_news = [], False
    for node in root:
        if not isinstance(node.tag, str):
            continue
        loc = _child_text(node, "loc")
        if not loc:
            continue
        news_date = node.xpath("./*[local-name()='news']/*[local-name()='publication_date']/text()")
        if news_date:
            is_news = True
        raw = news_date[0].strip() if news_date else _child_text(node, "lastmod")
        links.append(Link(loc.strip(), raw, parse_feed_date(raw, timezone)))
    if problem and len(links) >= written:  # recovered in full: a quirk, not a loss
        problem = None
    elif problem:
        problem = f"{problem}, {len(links)} of {written} locations read"
    return Sitemap(is_index, tuple(links), is_news, problem)


def list_links(html: str, base_url: str, *, link_selector: str | None = None, item_selector: str | None = None,
               date_selector: str | None = None, day=None, timezone: str = "UTC") -> list[Link]:
    """Links of a listing page in document order, de-duplicated.

    ``item_selector`` + ``date_selector`` read the date printed beside each link (``span.time``,
    ``.channel-newsTime``, ...); without an item selector, ``link_selector`` (default ``a[href], area[href]``:
    image-map e-papers have only ``<area>`` links) picks the link elements. Relative links resolve against the
    document's ``<base href>`` when it declares one, as a browser resolves them.
    """
    page = Selector(text=html, base_url=base_url)
    base_url = _document_base(page, html, base_url)
    found: list[Link] = []
    if item_selector:
        for item in page.css(item_selector):
            anchor = item.css(link_selector) if link_selector else item.css("a[href], area[href]")
            href = _href(anchor[0]) if anchor else None
            if not href:
                continue
            raw = " ".join(item.css(date_selector).xpath("string()").getall()).strip() if date_selector else ""
            found.append(Link(urljoin(base_url, href), raw or None,
                              parse_list_date(raw, day, timezone) if raw and day else None))
    else:
        for element in page.css(link_selector or "a[href], area[href]"):
            href = _href(element)
            if href:
                found.append(Link(urljoin(base_url, href)))
    seen, unique = set(), []
    for link in found:
        if link.url not in seen:
            seen.add(link.url)
            unique.append(link)
    return unique


def next_page_url(html: str, base_url: str, next_selector: str | None) -> str | None:
    if not next_selector:
        return None
    page = Selector(text=html, base_url=base_url)
    element = page.css(next_selector)
    href = _href(element[0]) if element else None
    return urljoin(_document_base(page, html, base_url), href) if href else None


def _document_base(page: Selector, html: str, page_url: str) -> str:
    """The URL relative links of ``html`` resolve against: its first ``<base href>`` (w3lib reads it as the HTML
    standard does, itself relative to the page URL), else the page URL as given."""
    if not page.xpath("//base[@href]"):
        return page_url
    return get_base_url(html, page_url)


def declared_charset(content_type: str, body: bytes) -> str | None:
    """The charset a response declares, as written (lowercased): HTTP Content-Type first, then the document's
    own ``<meta>`` or XML declaration. Not normalised: the extractor decides how to read ``gbk``."""
    found = HTTP_CHARSET.search(content_type or "")
    if found:
        return found.group(1).lower()
    head = body[:4096]
    found = XML_ENCODING.search(head) or META_CHARSET.search(head)
    return found.group(1).decode("ascii", "replace").lower() if found else None


def rel_canonical(body: bytes, encoding: str | None = None) -> str | None:
    """The href of the document head's first ``<link rel="canonical">``, read from the raw bytes.

    A regular expression over the head instead of a parse: this runs on every fetched article, and the article
    is parsed once, later, by the extractor. Comments are skipped and entities unescaped, as a parser would.
    """
    end = _HEAD_END.search(body)
    head = _COMMENT.sub(b"", body[:end.start()] if end else body)
    for tag in _LINK_TAG.finditer(head):
        attributes = {}
        for name, double, single, bare in _ATTRIBUTE.findall(tag.group(1)):
            attributes.setdefault(name.lower(), double or single or bare)
        if b"canonical" not in attributes.get(b"rel", b"").lower().split():
            continue
        href = html.unescape(_decoded(attributes.get(b"href", b""), encoding)).strip()
        return href or None
    return None


def _decoded(value: bytes, encoding: str | None) -> str:
    try:
        return value.decode(encoding or "utf-8", "replace")
    except LookupError:  # a charset name no codec answers to
        return value.decode("utf-8", "replace")


def _href(element) -> str | None:
    if element.root is None or not hasattr(element.root, "tag"):
        return None
    href = element.attrib.get("href")
    if href is None:  # a container selected: take its first link
        href = element.css("a::attr(href), area::attr(href)").get()
    href = (href or "").strip()
    return href or None


def _child_text(node, name: str) -> str | None:
    values = node.xpath(f"./*[local-name()='{name}']/text()")
    return values[0].strip() if values else None
