"""One parsed page: the lxml tree plus the lookups every other module needs (meta, JSON-LD, CSS).

The HTML is parsed once here; the same tree is later pruned and handed to trafilatura, so no module parses
the page a second time.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_NO_TEXT_TAGS = {"script", "style", "noscript", "template", "svg"}
_TITLE_HINT = re.compile(r"title|headline|biaoti", re.I)
_CHROME_TAGS = {"li", "nav", "footer", "aside", "dd", "option"}


@lru_cache(maxsize=512)  # compiled selectors only: output never depends on the cache
def _selector(css: str) -> CSSSelector:
    return CSSSelector(css)


def squash(text: str | None) -> str:
    """Collapse all whitespace (NBSP and U+3000 included) to single spaces and strip."""
    return " ".join(text.split()) if text else ""  # str.split() and regex \s agree on what whitespace is


def text_content(el) -> str:
    """``el.text_content()``, without its XPath call when ``el`` has no children (most links, cells and titles)."""
    return el.text_content() if len(el) else (el.text or "")


def _repair(html: str) -> str:
    """trafilatura's own repairs before parsing (a first-line doctype that makes libxml2 drop the document, a
    self-closing <html/>, characters XML refuses), so that both read the same tree."""
    from trafilatura.utils import repair_faulty_html

    return repair_faulty_html(html, html[:50].lower())


class Page:
    def __init__(self, html: str, url: str):
        html = _XML_DECLARATION.sub("", html, count=1)
        html = _repair(html)
        try:
            root = lxml.html.fromstring(html or "<html></html>", parser=_PARSER)
        except (etree.ParserError, ValueError):
            root = lxml.html.fromstring("<html></html>", parser=_PARSER)
        if not isinstance(root.tag, str) or root.tag != "html":
            root = root.getroottree().getroot()
        self.root = root
        self.html = html  # as parsed: a second reading of the untouched page parses it again
        self.url = url
        self.meta = self._read_meta()
        self.jsonld = self._read_jsonld()
        self._blocks_cache: dict = {}
        self._anchors: dict | None = None

    # --- lookups ----------------------------------------------------------------------------------------
    def select(self, css: str) -> list:
        return _selector(css)(self.root)

    @staticmethod
    def text_of(el) -> str:
        """Visible text of `el`, whitespace squashed (script/style skipped)."""
        if len(el) == 0 or next(el.iterdescendants("script", "style"), None) is None:
            return squash(text_content(el))  # C speed; the common case
        return squash(" ".join(_texts(el)))

    def visible_text(self) -> str:
        """The whole page's visible text (no script or style), whitespace squashed."""
        return self.text_of(self.root)

    def _read_meta(self) -> dict[str, str]:
        meta: dict[str, str] = {}
        for el in self.root.iter("meta"):
            key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
            content = el.get("content")
            if key and content and content.strip():
                meta.setdefault(key.strip().lower(), content.strip())
        for el in self.root.iter("link"):
            rel = (el.get("rel") or "").lower().split()
            if "canonical" in rel and el.get("href"):
                meta.setdefault("link:canonical", el.get("href").strip())
        return meta

    def _read_jsonld(self) -> list[dict]:
        objects: list[dict] = []
        for script in self.root.iter("script"):
            if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
                continue
            try:
                data = json.loads(script.text, strict=False)
            except ValueError:
                continue
            stack = [data]
            while stack:
                item = stack.pop(0)
                if isinstance(item, list):
                    stack[:0] = item
                elif isinstance(item, dict):
                    objects.append(item)
                    if isinstance(item.get("@graph"), list):
                        stack[:0] = item["@graph"]
        return objects

    def jsonld_values(self, *keys: str) -> list:
        """Values of `keys` in JSON-LD objects, articles first (a WebPage's dates are the page's, not the story's)."""
        ranked = sorted(self.jsonld, key=lambda o: 0 if "Article" in str(o.get("@type", "")) else 1)
        return [obj[key] for obj in ranked for key in keys if obj.get(key) not in (None, "", [])]

    def in_list_or_chrome(self, el) -> bool:
        return any(a.tag in _CHROME_TAGS for a in el.iterancestors())

    # --- the headline and what follows it ----------------------------------------------------------------
    def headline_element(self, headline: str | None):
        """The heading (or title-classed element) showing `headline`: an exact match wins, h1 first."""
        if not headline:
            return None
        wanted = squash(headline)
        partial = None
        for el in self.root.iter("h1", "h2", "h3", "h4", "h5", "div", "p", "span", "td", "strong"):
            if el.tag[0] != "h" and not _TITLE_HINT.search(f"{el.get('class', '')} {el.get('id', '')}"):
                continue
            text = self.text_of(el)
            if text == wanted:
                return el
            if partial is None and len(wanted) >= 8 and wanted in text and len(text) < 2 * len(wanted) + 20:
                partial = el
        return partial

    def blocks_after_headline(self, headline: str | None, limit: int = 8, max_len: int = 150) -> list[str]:
        """Texts of the short blocks right after the headline element: where bylines and dates sit.

        Long containers are entered, not skipped, and the walk stops at the first long paragraph (the body
        has started): a date inside the body is a dateline or a signature, not the publication date.
        """
        key = (headline, limit, max_len)
        if key not in self._blocks_cache:  # dates and credits both read these lines
            self._blocks_cache[key] = self._blocks_after_headline(headline, limit, max_len)
        return self._blocks_cache[key]

    def _blocks_after_headline(self, headline, limit, max_len) -> list[str]:
        el = self.headline_element(headline)
        if el is None:
            return []
        found: list[str] = []
        for text in _blocks_after(el, max_len):
            if len(text) > max_len:
                break
            found.append(text)
            if len(found) >= limit:
                break
        return found

    def teaser_texts(self, min_items: int = 6) -> list[str]:
        """Texts (whitespace removed) of repeated link items: the rows of a list or home page.

        A row is a child of a parent with at least `min_items` same-tag children that each hold a link with a
        headline-length text and no more than a teaser's worth of text.
        """
        linked = self._headline_links()
        rows: list[str] = []
        for parent in self.root.iter("ul", "ol", "div", "section", "tbody", "dl"):
            if len(parent) < min_items:
                continue
            children = [c for c in parent if isinstance(c.tag, str)]
            if len(children) < min_items:
                continue
            tag = max({c.tag for c in children}, key=lambda t: sum(1 for c in children if c.tag == t))
            items = [c for c in children if c.tag == tag and any(a in linked for a in c.iter("a"))]
            if len(items) < min_items:
                continue
            texts = [t for t in map(_short_visible_text, items) if t is not None]
            if len(texts) >= min_items:
                rows.extend(texts)
        return rows

    def anchor_texts(self) -> set[str]:
        return {text for text in self._anchor_texts().values() if len(text) >= 6}

    def _anchor_texts(self) -> dict:
        """Each link element's squashed text, computed once: the listing tests read every link several times.
        Read before the tree is pruned (as ``extract_article`` does): the texts are not refreshed after."""
        if self._anchors is None:
            self._anchors = {a: squash(text_content(a)) for a in self.root.iter("a")}
        return self._anchors

    def _headline_links(self) -> set:
        return {a for a, text in self._anchor_texts().items() if len(text) >= 6}


def _visible_text(el) -> str:
    """The text of `el` without script, style and the like; joined without separators, as text_content does."""
    if next(el.iter(*_NO_TEXT_TAGS), None) is None:
        return text_content(el)  # C speed; the common case
    return " ".join(_texts(el))


def _short_visible_text(el, limit: int = 300) -> str | None:
    """The visible text of `el` without whitespace, or None as soon as it is longer than `limit` characters (a
    section wrapping a list's rows is read no further than its first few)."""
    parts, size = [], 0
    for piece in _texts(el):
        piece = "".join(piece.split())
        size += len(piece)
        if size > limit:
            return None
        parts.append(piece)
    return "".join(parts)


def _texts(el):
    if isinstance(el.tag, str) and el.tag in _NO_TEXT_TAGS:
        return
    if el.text:
        yield el.text
    for child in el:
        yield from _texts(child)
        if child.tail:
            yield child.tail


def _blocks(el, max_len: int):
    """Texts of `el` as blocks: whole when short, else its own text, children and tails one by one."""
    if not isinstance(el.tag, str) or el.tag in _NO_TEXT_TAGS:
        return
    text = squash(" ".join(_texts(el)))
    if len(text) <= max_len or len(el) == 0:
        if text:
            yield text
        return
    if squash(el.text):
        yield squash(el.text)
    for child in el:
        yield from _blocks(child, max_len)
        if squash(child.tail):
            yield squash(child.tail)


def _blocks_after(el, max_len: int):
    """Blocks after `el` (its subtree excluded) in document order, lazily."""
    if squash(el.tail):
        yield squash(el.tail)
    node = el
    while node is not None:
        for sibling in node.itersiblings():
            yield from _blocks(sibling, max_len)
            if squash(sibling.tail):
                yield squash(sibling.tail)
        node = node.getparent()
        if node is not None and squash(node.tail):
            yield squash(node.tail)
