"""Pure helpers for HTML pages the crawler fetches: a listing page's article links and next page, the charset a
response declares, an article's ``rel=canonical``. No I/O, no Scrapy objects."""

from __future__ import annotations

import html
import re
from datetime import datetime
from urllib.parse import urljoin

from parsel import Selector
from w3lib.html import get_base_url

from crawlers.dates import parse_list_date
from crawlers.discovery import Link

HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)
XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)", re.I)
# Possessive quantifiers and a name that starts after a non-name byte: each attribute is tried once, so a tag of
# kilobytes of name bytes without ``=`` costs its length, not its square.
_ATTRIBUTE = re.compile(rb"""(?<![\w:-])([\w:-]++)\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s"'>]++))""")
# A ``<link>`` tag longer than this is no canonical link (an index entry holds 2 KB): it is skipped unread.
MAX_LINK_TAG_BYTES = 4096


def list_links(html: str, base_url: str, *, link_selector: str | None = None, item_selector: str | None = None,
               date_selector: str | None = None, day=None, timezone: str = "UTC",
               fetched_at: datetime | None = None) -> list[Link]:
    """Links of a listing page in document order, de-duplicated.

    ``item_selector`` + ``date_selector`` read the date printed beside each link (``span.time``,
    ``.channel-newsTime``, ...); without an item selector, ``link_selector`` (default ``a[href], area[href]``:
    image-map e-papers have only ``<area>`` links) picks the link elements. Relative links resolve against the
    document's ``<base href>`` when it declares one, as a browser resolves them. Relative dates (``3小时前``,
    ``2 hours ago``) count back from ``fetched_at``, when the page was fetched; without it they stay unread.
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
                              parse_list_date(raw, day, timezone, fetched_at=fetched_at) if raw and day else None))
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

    A scan of the head instead of a parse: this runs on every fetched article, in the crawler's event loop, and
    the article is parsed once, later, by the extractor. Every step moves forward (``bytes.find``), so the cost
    is linear in the head whatever it holds (an unclosed comment, thousands of ``<link`` without ``>``): a regular
    expression with a lazy ``.*?`` retried at each ``<!--`` was quadratic. Comments are skipped and entities
    unescaped, as a parser would; an unclosed comment hides the rest of the head, as it does from a parser.
    """
    lower = body.lower()
    position, next_close = 0, -1
    while (start := lower.find(b"<", position)) >= 0:
        if lower.startswith(b"<!--", start):
            end = lower.find(b"-->", start + 4)
            if end < 0:
                return None
            position = end + 3
            continue
        if lower.startswith(b"</head", start):
            return None
        position = start + 1
        if not lower.startswith(b"<link", start) or lower[start + 5:start + 6] not in (b" ", b"\t", b"\n", b"\r",
                                                                                      b"\f", b"/", b">"):
            continue
        if next_close < start:
            next_close = lower.find(b">", start)
            if next_close < 0:
                return None  # no tag after this one can close
        if next_close - start > MAX_LINK_TAG_BYTES:
            continue
        position = next_close + 1
        href = _canonical_href(body[start + 5:next_close], encoding)
        if href is not None:
            return href or None
    return None


def _canonical_href(attributes_text: bytes, encoding: str | None) -> str | None:
    """The href of a ``<link>`` tag's attributes when its rel holds ``canonical`` ("" for an empty one); else
    None."""
    attributes = {}
    for name, double, single, bare in _ATTRIBUTE.findall(attributes_text):
        attributes.setdefault(name.lower(), double or single or bare)
    if b"canonical" not in attributes.get(b"rel", b"").lower().split():
        return None
    return html.unescape(_decoded(attributes.get(b"href", b""), encoding)).strip()


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
