"""Pure helpers for discovery documents that arrive damaged or mislabelled: a gzip stream cut short, an XML
document cut mid-element, a body that is not the kind of document it was listed as. No I/O.

A cut document still holds everything before the cut; these helpers keep that part and say where the cut is,
so that a sitemap cut at 60 % gives its first 60 % of URLs and a run that says it lost the rest.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from lxml import etree

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
_CHUNK = 16 * 1024
# byte order marks, then the first bytes of "<?" without one (XML 1.0 appendix F)
_WIDE_ENCODINGS = ((b"\x00\x00\xfe\xff", 4, "utf-32-be"), (b"\xff\xfe\x00\x00", 4, "utf-32-le"),
                   (b"\xfe\xff", 2, "utf-16-be"), (b"\xff\xfe", 2, "utf-16-le"), (b"\x00\x00\x00<", 0, "utf-32-be"),
                   (b"<\x00\x00\x00", 0, "utf-32-le"), (b"\x00<\x00", 0, "utf-16-be"), (b"<\x00", 0, "utf-16-le"))
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_LEADING = re.compile(rb"^(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[[^\]]*\])*>)*", re.S | re.I)
_START_TAG = re.compile(rb"<([\w.-]+(?::[\w.-]+)?)[\s>/]")
_TRAILER = rb"(?:\s|<!--.*?-->|<\?.*?\?>)*"  # what may follow the root's end tag
# the namespaces of feed entries and their links and dates; anything else is an extension (geo, media, podcast...)
FEED_CORE_NAMESPACES = frozenset({
    None, "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#", "http://purl.org/rss/1.0/",
    "http://my.netscape.com/rdf/simple/0.9/", "http://backend.userland.com/rss2", "http://backend.userland.com/rss",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/",
})
_KNOWN_ROOTS = {"urlset", "sitemapindex", "rss", "feed", "rdf", "channel", "html"}
_DOCUMENT_ROOT = re.compile(rb"<(?:[\w.-]+:)?(?:urlset|sitemapindex|rss|feed|RDF)[\s>]")
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I)


@dataclass(frozen=True)
class Unpacked:
    """A body as its document: gunzipped when it was gzip (also when the server sent it without
    Content-Encoding), at most ``max_bytes`` of it."""

    data: bytes
    gzip_damage: str | None = None  # "ended early" or zlib's error: ``data`` holds what came before
    over_limit: bool = False  # more than ``max_bytes`` unpacked: ``data`` holds the first ``max_bytes``


def unpack(body: bytes, max_bytes: int) -> Unpacked:
    """Gunzip incrementally, keeping what a cut or corrupt stream still held (``gzip`` raises ``EOFError`` and
    loses it all); concatenated gzip members are read one after another, trailing padding is ignored."""
    if body[:2] != GZIP_MAGIC:
        return Unpacked(body[:max_bytes], over_limit=len(body) > max_bytes)
    out = bytearray()
    rest = body
    while rest[:2] == GZIP_MAGIC and len(out) <= max_bytes:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        position = 0
        pending = b""
        while not inflater.eof and len(out) <= max_bytes:
            if not pending:
                pending, position = rest[position:position + _CHUNK], position + _CHUNK
                if not pending:
                    return Unpacked(bytes(out), gzip_damage="ended early")
            before = inflater.copy()
            try:
                out += inflater.decompress(pending, max_bytes + 1 - len(out))
            except zlib.error as error:  # what this chunk held before the damage is read byte by byte
                out += _salvage(before, pending)
                return Unpacked(bytes(out[:max_bytes]), gzip_damage=f"corrupt ({error})",
                                over_limit=len(out) > max_bytes)
            pending = inflater.unconsumed_tail
        rest = inflater.unused_data + rest[position:]
    if len(out) > max_bytes:
        return Unpacked(bytes(out[:max_bytes]), over_limit=True)
    return Unpacked(bytes(out))


def _salvage(inflater, data: bytes) -> bytes:
    out = bytearray()
    for position in range(len(data)):
        try:
            out += inflater.decompress(data[position:position + 1])
        except zlib.error:
            break
    return bytes(out)


def as_utf8(data: bytes) -> bytes:
    """A UTF-16 or UTF-32 document (told by its byte order mark or its first ``<``) as UTF-8, so that byte
    patterns can read it; its XML declaration is dropped, as it would name the old encoding."""
    for start, skip, codec in _WIDE_ENCODINGS:
        if data.startswith(start):
            text = data[skip:].decode(codec, "replace").encode("utf-8")
            return _XML_DECLARATION.sub(b"", text, count=1)
    return data


def root_name(data: bytes) -> str | None:
    """The root element's name as written (``urlset``, ``rdf:RDF``), skipping the XML declaration, comments and
    a doctype; None when the document does not open with an element."""
    data = data.removeprefix(UTF8_BOM)
    found = _START_TAG.match(data, _LEADING.match(data).end())
    return found.group(1).decode("ascii", "replace") if found else None


def skip_leading_junk(data: bytes) -> bytes:
    """A feed or sitemap from its root element on, when text the server printed first (a PHP notice, a stray
    line, often with ``<br />``) hides it: a quirk that loses nothing. Documents that open with a feed, sitemap or
    HTML root come back unchanged."""
    root = root_name(data)
    if root is not None and root.rsplit(":", 1)[-1].lower() in _KNOWN_ROOTS:
        return data
    found = _DOCUMENT_ROOT.search(data, 0, 64 * 1024)
    return data[found.start():] if found else data


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].removeprefix(UTF8_BOM)
    start = _LEADING.match(head).end()
    return bool(_HTML_START.match(head, start))


def is_closed(data: bytes, root: str) -> bool:
    """Whether the document ends with its root element's end tag (then only whitespace, comments and processing
    instructions): a document that does not was cut in transit or by its writer. An end tag missing only its
    ``>`` at the very end (``</rss``, seen in the wild) lost nothing and counts as closed."""
    pattern = rb"</" + re.escape(root.encode()) + rb"\s*(?:>" + _TRAILER + rb")?\Z"
    return re.search(pattern, data[-4096:], re.S) is not None


def up_to_last_end_tag(data: bytes) -> bytes:
    """A cut document up to its last complete end tag: whatever text came after it belongs to an element that
    was not closed (a location cut to ``https://a.example/page_``, a date cut to ``2026-09-2``) and is dropped.

    Walks back from the end; each search covers bytes no earlier search covered, so thousands of ``</`` without
    ``>`` cost the document's length, not its square."""
    end, close = len(data), -1
    while (start := data.rfind(b"</", 0, end)) >= 0:
        nearer = data.find(b">", start, end if close < 0 else min(end, close))
        close = nearer if nearer >= 0 else close
        if close >= 0 and data.find(b"<", start + 2, close) < 0:
            return data[:close + 1]
        end = start
    return b""


def count_tags(data: bytes, names: tuple[str, ...], prefix: str | None = None) -> int:
    """How many start tags named ``names`` (unprefixed, or with the root's namespace ``prefix``; any letter case)
    the document holds outside comments and CDATA sections: ``<item>`` and ``<item x="">`` but not ``<items>``,
    ``<loc>`` but not an image sitemap's ``<image:loc>``."""
    text = outside_comments(data)
    alternatives = b"|".join(re.escape(name.encode()) for name in names)
    qualified = rb"(?:" + re.escape(prefix.encode()) + rb":)?" if prefix else b""
    return len(re.findall(rb"<" + qualified + rb"(?:" + alternatives + rb")[\s>/]", text, re.I))


_HIDDEN = {b"<!--": b"-->", b"<![CDATA[": b"]]>"}


def outside_comments(data: bytes) -> bytes:
    """``data`` without its comments and CDATA sections, in one forward scan (a lazy ``<!--.*?-->`` retried at each
    of thousands of unclosed ``<!--`` was quadratic). An unclosed one is kept with what follows it."""
    kept, position = [], 0
    upcoming = {opener: data.find(opener) for opener in _HIDDEN}
    while True:
        for opener, at in upcoming.items():
            if 0 <= at < position:
                upcoming[opener] = data.find(opener, position)
        found = [(at, opener) for opener, at in upcoming.items() if at >= 0]
        if not found:
            break
        at, opener = min(found)
        end = data.find(_HIDDEN[opener], at + len(opener))
        if end < 0:
            break
        kept.append(data[position:at])
        position = end + len(_HIDDEN[opener])
    kept.append(data[position:])
    return b"".join(kept)


def without_extensions(data: bytes) -> bytes:
    """A feed without its extension elements (outside ``FEED_CORE_NAMESPACES``): read again this way when a
    damaged extension (a GeoRSS polygon with a bad number) makes feedparser itself raise."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return data
    if root is None:
        return data
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element is root:
            continue
        if etree.QName(element).namespace not in FEED_CORE_NAMESPACES and element.getparent() is not None:
            element.getparent().remove(element)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
