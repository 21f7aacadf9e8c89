"""Pure discovery helpers: article links out of feeds and sitemaps (listing pages: ``crawlers.pages``). No I/O, no
Scrapy objects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

import feedparser
from lxml import etree

from crawlers.dates import parse_feed_date
from crawlers.documents import (Unpacked, as_utf8, count_tags, is_closed, looks_like_html, root_name,
                                skip_leading_junk, unpack, up_to_last_end_tag, without_extensions)

SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit for an uncompressed file
SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})  # RSS 0.9x-2.0, Atom, RSS 1.0 (rdf:RDF), CDF
# feed links that never point at the entry's own article page
NOT_ARTICLE_RELS = frozenset({"enclosure", "self", "related", "via", "license", "replies", "edit", "hub"})
_URL_LINE = re.compile(r"https?://\S+$", re.I)


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
    problem: str | None = None  # what was lost (cut, malformed, too large, not a sitemap), None when nothing was
    is_feed: bool = False  # an RSS/Atom document listed as a sitemap, read as the feed it is


def feed_links(body: bytes, base_url: str, timezone: str) -> list[Link]:
    """Entry links of an RSS or Atom document, with their raw and parsed dates."""
    return parse_feed(body, base_url, timezone)[0]


def parse_feed(body: bytes, base_url: str, timezone: str, *, headers: Mapping[str, str] | None = None,
               cut: str | None = None) -> tuple[list[Link], str | None]:
    """Article links of an RSS, Atom or RDF document, with their raw and parsed dates, and what was lost (None
    when every entry was read: feedparser's loose parser shrugs off quirks such as a bare ``&``).

    ``headers`` are the response's (Content-Type, Content-Location): feedparser reads the charset and the base of
    relative links from them, as from a fetched URL. ``cut`` names a transport cut (a body short of its
    Content-Length). A document cut short gives its entries up to the last closed element, never a link cut in
    the middle. An entry without an article link (none at all, or only an enclosure, ``self``, ``related``...)
    is not a loss; only entries that broken XML hid from feedparser are.

    feedparser leaves ``published_parsed`` empty for shapes like SMM's ``13:54:00 Jan 21, 2026``, so the raw
    string is parsed here.
    """
    given = {name.lower(): value for name, value in (headers or {}).items() if value}
    base = urljoin(base_url, given.get("content-location", "").strip())
    unpacked = unpack(body, SITEMAP_MAX_BYTES)
    data = as_utf8(unpacked.data)
    if data is not unpacked.data and "content-type" in given:  # re-encoded: the HTTP charset no longer holds
        given["content-type"] = given["content-type"].split(";")[0]
    data = skip_leading_junk(data)
    if not data.strip():
        return [], _empty(unpacked)
    root = root_name(data)
    if looks_like_html(data) or (root or "").lower() == "html":
        return [], "not a feed: HTML page"
    if root and root.rsplit(":", 1)[-1].lower() in SITEMAP_ROOTS:  # feedparser would find nothing, silently
        return [], f"not a feed: a sitemap (<{root}>), list it under sitemaps"
    damage = _damage(unpacked, cut, data, root)
    if damage:
        data = up_to_last_end_tag(data)
    data, over = _first_entries(data, MAX_FEED_ENTRIES)
    response_headers = {"content-location": base} if base else {}
    if "content-type" in given:
        response_headers["content-type"] = given["content-type"]
    try:
        parsed = feedparser.parse(data, response_headers=response_headers)
    except Exception:  # feedparser's own handlers raise on some damaged extensions: read without them
        try:
            parsed = feedparser.parse(without_extensions(data), response_headers=response_headers)
        except Exception as error:
            return [], f"feed unreadable (feedparser raised {type(error).__name__}: {str(error)[:120]})"
    links = []
    for entry in parsed.entries:
        href = article_link(entry)
        if not href:
            continue
        raw = entry.get("published") or entry.get("updated") or entry.get("dc_date")
        links.append(Link(urljoin(base, href.strip()), raw, parse_feed_date(raw, timezone)))
    read = len(parsed.entries)
    if over:
        return links, (f"feed of {over} entries: the first {MAX_FEED_ENTRIES} read (the entry limit bounds what one "
                       "feed may cost the crawler)")
    if damage:
        return links, f"feed cut at byte {len(unpacked.data)}, {read} entries read ({damage})"
    written = count_tags(data, ("item", "entry"), _prefix(root))
    if parsed.get("bozo") and read < written:
        error = parsed.get("bozo_exception")
        return links, (f"malformed feed XML, {read} of {written} entries read "
                       f"({type(error).__name__}: {str(error)[:120]})")
    if root is None and not read:
        return links, "not a feed: no RSS, Atom or RDF element"
    return links, None


MAX_FEED_ENTRIES = 5000  # feedparser reads about a thousand entries a second, in the crawler's event loop
_ENTRY_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")


def _first_entries(data: bytes, limit: int) -> tuple[bytes, int | None]:
    """``data`` cut before its entry number ``limit + 1`` and the number of entries it has, or ``data`` and None
    when it has no more than ``limit`` (one linear scan; feedparser's loose parser reads the open document)."""
    starts = _ENTRY_START.finditer(data)
    cut_at = None
    count = 0
    for count, found in enumerate(starts, start=1):
        if count == limit + 1:
            cut_at = found.start()
    if cut_at is None:
        return data, None
    return data[:cut_at], count


def article_link(entry) -> str | None:
    """The link of a feed entry that is its article: a ``rel="alternate"`` link (of an HTML type or none) first,
    then ``entry.link`` unless that is an enclosure, ``self``, ``related``, ``via`` or ``license`` link (feedparser
    lets an enclosure or a ``via`` link become ``entry.link``); None for an entry with only such links."""
    links = entry.get("links") or []
    for link in links:
        kind = (link.get("type") or "").lower()
        if link.get("rel", "alternate") == "alternate" and link.get("href") and (not kind or "html" in kind):
            return link["href"]
    fallback = entry.get("link")
    if fallback and not any(link.get("href") == fallback and link.get("rel") in NOT_ARTICLE_RELS for link in links):
        return fallback
    return None


def parse_sitemap(body: bytes, timezone: str, *, base_url: str = "", headers: Mapping[str, str] | None = None,
                  cut: str | None = None, max_bytes: int = SITEMAP_MAX_BYTES) -> Sitemap:
    """A sitemap index or urlset (or the plain-text list of URLs the protocol also allows); Google-News entries
    carry ``news:publication_date`` as their date, others ``lastmod``. Entities are never resolved (XXE).

    gzip bodies (also those a server sent without Content-Encoding) are unpacked up to ``max_bytes``, the
    protocol's limit. A damaged sitemap gives what it still holds and says what was lost: cut short (by the
    transport, ``cut``, by its gzip stream, or with its root element left open), its locations up to the last
    closed element, never a location whose element was not closed; malformed, how many locations of how many
    written were read. An RSS or Atom document listed as a sitemap is read as a feed (``base_url`` and
    ``headers`` are passed to ``parse_feed``); an empty, HTML or other body is a problem with its reason.
    """
    unpacked = unpack(body, max_bytes)
    data = skip_leading_junk(as_utf8(unpacked.data))
    if not data.strip():
        return Sitemap(False, (), problem=_empty(unpacked))
    root = root_name(data)
    local = root.rsplit(":", 1)[-1].lower() if root else None
    if local in FEED_ROOTS:
        links, problem = parse_feed(data, base_url, timezone, headers=headers, cut=_damage(unpacked, cut, data, None))
        return Sitemap(False, tuple(links), problem=problem, is_feed=True)
    if local not in SITEMAP_ROOTS:
        return _other_sitemap(data, root, base_url, _damage(unpacked, cut, data, None))
    damage = _damage(unpacked, cut, data, root)
    if damage:
        data = up_to_last_end_tag(data)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, remove_comments=True)
    try:
        tree = etree.fromstring(data.lstrip(), parser=parser) if data.strip() else None
    except etree.XMLSyntaxError:
        tree = None
    links, is_news, read = [], False, 0
    for node in tree if tree is not None else ():
        fields = _entry_fields(node)
        if "loc" not in fields:
            continue
        read += 1
        loc = fields["loc"]
        if not loc:
            continue
        is_news = is_news or bool(fields.get("publication_date"))
        raw = fields.get("publication_date") or fields.get("lastmod")
        if base_url and not loc.startswith(("http://", "https://")):
            loc = urljoin(base_url, loc)
        links.append(Link(loc, raw, parse_feed_date(raw, timezone)))
    is_index = local == "sitemapindex"
    if unpacked.over_limit:
        problem = (f"larger than {_size(max_bytes)} unpacked, read the first {_size(max_bytes)}: "
                   f"{read} locations")
    elif damage:
        problem = f"sitemap cut at byte {len(unpacked.data)}, {read} locations read ({damage})"
    else:
        written = count_tags(data, ("loc",), _prefix(root))
        errors = [entry for entry in parser.error_log if entry.level >= etree.ErrorLevels.ERROR]
        problem = None  # a quirk that loses nothing (a bare ``&``, a stray tag) is not a problem
        if read < written:
            detail = f" ({errors[0].message[:120]})" if errors else ""
            problem = f"malformed sitemap XML{detail}, {read} of {written} locations read"
    return Sitemap(is_index, tuple(links), is_news, problem)


def _entry_fields(node) -> dict[str, str | None]:
    """``loc``, ``lastmod`` and a Google-News ``publication_date`` of a ``<url>`` or ``<sitemap>`` element, by
    local name (sitemaps come with wrong, missing or prefixed namespaces); the first of each counts."""
    fields: dict[str, str | None] = {}
    if not isinstance(node.tag, str):
        return fields
    for child in node:
        if not isinstance(child.tag, str):
            continue
        name = child.tag.rpartition("}")[2]
        if name in ("loc", "lastmod"):
            fields.setdefault(name, (child.text or "").strip() or None)
        elif name == "news":
            for part in child:
                if isinstance(part.tag, str) and part.tag.rpartition("}")[2] == "publication_date":
                    fields.setdefault("publication_date", (part.text or "").strip() or None)
    return fields


def _other_sitemap(data: bytes, root: str | None, base_url: str, damage: str | None) -> Sitemap:
    """A body under ``sitemaps:`` that is neither a urlset nor an index: the protocol's plain-text sitemap (one
    URL a line), or a problem saying what it is."""
    lines = _url_lines(data)
    if lines is not None:
        if damage and not data.endswith((b"\n", b"\r")):  # the last line may be a URL cut in the middle
            lines = lines[:-1]
        links = tuple(Link(urljoin(base_url, line) if base_url else line) for line in lines)
        problem = f"sitemap cut at byte {len(data)}, {len(links)} locations read ({damage})" if damage else None
        return Sitemap(False, links, problem=problem)
    if looks_like_html(data) or (root or "").lower() == "html":
        return Sitemap(False, (), problem="not a sitemap: HTML page")
    if root:
        return Sitemap(False, (), problem=f"not a sitemap: root element <{root}>")
    return Sitemap(False, (), problem="not a sitemap: neither XML nor a list of URLs")


def _url_lines(data: bytes) -> list[str] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines if lines and all(_URL_LINE.match(line) for line in lines) else None


def _damage(unpacked: Unpacked, cut: str | None, data: bytes, root: str | None) -> str | None:
    """Why a document is cut short (the first sign, nearest the cause), or None when it arrived whole."""
    if cut or unpacked.gzip_damage or unpacked.over_limit:
        return cut or (unpacked.gzip_damage and f"gzip stream {unpacked.gzip_damage}") or "unpacked size limit"
    return f"<{root}> not closed" if root and not is_closed(data, root) else None


def _empty(unpacked: Unpacked) -> str:
    return f"empty body (gzip stream {unpacked.gzip_damage})" if unpacked.gzip_damage else "empty body"


def _prefix(root: str | None) -> str | None:
    return root.split(":", 1)[0] if root and ":" in root else None


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit % (1024 * 1024) == 0 else f"{limit} B"
