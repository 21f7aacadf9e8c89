"""Page-level metadata: headline (site suffix removed), authors, categories, tags, image, canonical URL,
site name and paywall signals, from meta tags, JSON-LD and the lines under the headline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from .clean import PINYIN_READING, has_paywall_prompt
from .credits import Credits, mentions_credit, parse_credit_line, split_names
from .page import Page, squash, text_content
from .rules import ExtractRules

# "Title | Site", "Title - Site", "标题_频道_光明网", "Title · Site"
_SEPARATOR = re.compile(r"\s+[|\-–—·:»]\s+|\s*[_｜|]\s*|\s+::\s+")
_SUFFIX_START = re.compile(r"^\s*[-_|｜–—·:»]")
_LIST_SPLIT = re.compile(r"\s*[,，、;；|｜]\s*")
_PAYWALL_HINT = re.compile(r"paywall|pay-wall|premium-(?:content|article)|subscriber-only|subscribers-only|"
                           r"subscription-wall|regwall|reg-wall|piano-|tp-modal|metered|locked-content|"
                           r"article-locked|unlock-article|login-to-read|vip-content", re.I)


_ARTICLE_TYPE = re.compile(r"Article$|BlogPosting$|^Report$|^LiveBlogPosting$", re.I)


@dataclass
class PageMetadata:
    title: str | None = None
    title_on_page: str | None = None  # the headline as the page shows it, to locate the element
    authors: list[str] = field(default_factory=list)
    credits: Credits = field(default_factory=Credits)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    publisher: str | None = None  # og:site_name / JSON-LD publisher: the source of a page naming no other
    loose_credits: Credits = field(default_factory=Credits)
    declares_article: bool = False  # og:type article or a JSON-LD article type: the page says it is one story
    paywall_by_rule: bool = False  # a site paywall selector matched: the site's own prompt is on the page
    paywall_signals: bool = False  # JSON-LD says not free, or paywall class names: believed only beside a short text


def _strings(value) -> list[str]:
    """JSON-LD values come as str, list or {"name": …}/{"url": …}; flatten to strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _strings(value.get("name") or value.get("url") or value.get("@value"))
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def _split_list(values) -> list[str]:
    items = [squash(p) for v in values for p in _LIST_SPLIT.split(v)]
    return list(dict.fromkeys(i for i in items if i and len(i) <= 60))


def site_names(page: Page) -> list[str]:
    names = [page.meta.get("og:site_name"), page.meta.get("application-name")]
    for publisher in page.jsonld_values("publisher"):
        names.extend(_strings(publisher))
    host = urlsplit(page.url).hostname or ""
    labels = [p for p in host.split(".") if p not in ("www", "m", "com", "cn", "net", "org", "or", "co", "th", "gov")]
    return [n for n in dict.fromkeys(squash(n) for n in names + labels if n) if n]


def _matches_site(segment: str, names: list[str]) -> bool:
    seg = segment.casefold()
    return any(n.casefold() in seg or seg in n.casefold() for n in names if len(n) >= 2)


def strip_site_suffix(title: str, names: list[str]) -> str:
    """Remove trailing "| Site", "_频道_光明网" segments and a leading "Site |"."""
    title = squash(title)
    while True:
        cuts = list(_SEPARATOR.finditer(title))
        if not cuts:
            return title
        last = cuts[-1]
        head, tail = title[:last.start()], title[last.end():]
        loose = last.group().strip() in ("_", "|", "｜")  # separators that never occur inside a headline
        short = len(tail) <= 30 and len(tail) * 2 <= len(head)
        if tail and head and (_matches_site(tail, names) or (loose and short)):
            title = head
            continue
        first = cuts[0]
        lead, rest = title[:first.start()], title[first.end():]
        if lead and rest and _matches_site(lead, names) and len(lead) * 2 <= len(rest):
            title = rest
            continue
        return title


def _prefixes(title: str) -> list[str]:
    return [title[:m.start()] for m in _SEPARATOR.finditer(title)] + [title]


def find_headline(page: Page, rules: ExtractRules | None, names: list[str]) -> str | None:
    if rules and rules.title_selector:
        for el in page.select(rules.title_selector):
            if page.text_of(el):
                return page.text_of(el)
    title_el = page.root.find(".//title")
    title_tag = squash(text_content(title_el)) if title_el is not None else ""
    declared = [t for t in (squash(page.meta.get("og:title")), squash(page.meta.get("twitter:title")), title_tag) if t]
    declared += [squash(h) for h in _strings(page.jsonld_values("headline")[:1])]
    headings = [page.text_of(h) for h in page.root.iter("h1", "h2") if page.text_of(h)]
    for base in declared:  # a heading equal to the declared title minus a suffix is the clean headline
        candidates = set(_prefixes(base))
        for heading in headings:
            if len(heading) >= 4 and (heading in candidates or _SUFFIX_START.match(base[len(heading):])
                                      and base.startswith(heading)):
                return heading
    if declared:
        return strip_site_suffix(declared[0], names)
    return headings[0] if headings else _hinted_headline(page)


_HEADLINE_CLASS = re.compile(r"(?:^|[\s_-])(?:article[_-]?)?(?:title|headline|biaoti)(?:$|[\s_-])", re.I)


def _hinted_headline(page: Page) -> str | None:
    """Pages without <title> or headings (fragments, JSON replies): the first short element classed as a title."""
    for el in page.root.iter("div", "p", "span", "strong", "h3", "h4"):
        hint = f"{el.get('class', '')} {el.get('id', '')}"
        text = page.text_of(el)
        if _HEADLINE_CLASS.search(hint) and 4 <= len(text) <= 120:
            return text
    return None


def _header_credits(page: Page, headline: str | None) -> Credits:
    credits = Credits()
    for block in page.blocks_after_headline(headline):
        found = parse_credit_line(PINYIN_READING.sub("", block))
        if found:
            credits.merge(found)
    return credits


def _loose_credits(page: Page) -> Credits:
    """Credit-only elements anywhere outside lists and page chrome ("资讯来源:…" under the body, "Source : X")."""
    credits = Credits()
    for el in page.root.iter("p", "div", "span", "td", "font", "em"):
        if len(el) > 3 or any(len(child) for child in el):
            continue
        text = page.text_of(el)
        if not 4 <= len(text) <= 60:
            continue
        text = PINYIN_READING.sub("", text)
        if mentions_credit(text) and not page.in_list_or_chrome(el):  # the ancestors walk last: the dearest test
            found = parse_credit_line(text)
            if found:
                credits.merge(found)
    return credits


def _meta_authors(page: Page) -> list[str]:
    raw: list[str] = []
    for author in page.jsonld_values("author", "creator"):
        raw.extend(_strings(author))
    for key in ("author", "article:author", "og:article:author", "dc.creator", "byl", "parsely-author",
                "sailthru.author", "citation_author"):
        if page.meta.get(key):
            raw.append(re.sub(r"^(?:By|作者[:：]?)\s*", "", page.meta[key]))
    authors = [n for value in raw if not value.startswith(("http://", "https://"))
               for n in split_names(value)]
    return list(dict.fromkeys(authors))  # the site signing its own story is its author (authors.clean_names)


def read_page_metadata(page: Page, rules: ExtractRules | None) -> PageMetadata:
    names = site_names(page)
    declared = [page.meta.get("og:site_name")] + [n for p in page.jsonld_values("publisher") for n in _strings(p)]
    meta = PageMetadata(site_name=names[0] if names else None, publisher=next((squash(d) for d in declared if d), None))
    meta.loose_credits = _loose_credits(page)
    meta.title_on_page = find_headline(page, rules, names)
    meta.title = meta.title_on_page
    meta.credits = _header_credits(page, meta.title_on_page)
    if rules:
        for key, attr in (("author_selector", "authors"), ("source_selector", "source"), ("editor_selector", "editor")):
            css = getattr(rules, key)
            texts = [page.text_of(el) for el in page.select(css)] if css else []
            texts = [t for t in texts if t]
            if texts:
                found = parse_credit_line(texts[0]) or Credits()
                value = {"authors": found.authors or split_names(texts[0]), "source": found.source or texts[0],
                         "editor": found.editor or texts[0]}[attr]
                setattr(meta.credits, attr, value)
    meta.authors = _meta_authors(page)
    sections = page.jsonld_values("articleSection") + [page.meta.get(k) for k in ("article:section", "og:article:section", "category") if page.meta.get(k)]
    meta.categories = _split_list(PINYIN_READING.sub("", s) for v in sections for s in _strings(v))
    keywords = [page.meta.get(k) for k in ("keywords", "news_keywords") if page.meta.get(k)]
    keywords += [el.get("content", "") for el in page.root.iter("meta") if el.get("property") == "article:tag"]
    keywords += [s for v in page.jsonld_values("keywords") for s in _strings(v)]
    meta.tags = _split_list(PINYIN_READING.sub("", k) for k in keywords)
    images = [page.meta.get("og:image"), page.meta.get("twitter:image")] + _strings(page.jsonld_values("image")[:1])
    image = next((i for i in images if i), None)
    meta.image_url = urljoin(page.url, image) if image else None
    canonical = page.meta.get("link:canonical") or page.meta.get("og:url")
    meta.canonical_url = urljoin(page.url, canonical) if canonical else None
    types = [t for obj in page.jsonld for t in _strings(obj.get("@type"))]
    meta.declares_article = (page.meta.get("og:type", "").lower() == "article"
                             or any(_ARTICLE_TYPE.search(t) for t in types))
    free = [str(v).lower() for v in page.jsonld_values("isAccessibleForFree")]
    meta.paywall_by_rule = bool(rules and any(page.select(css) for css in rules.paywall_selectors))
    meta.paywall_signals = "false" in free or any(
        _PAYWALL_HINT.search(f"{el.get('class', '')} {el.get('id', '')}") for el in page.root.iter("div", "section", "article", "aside"))
    return meta


def paywall_phrase_in(text: str, rules: ExtractRules | None) -> tuple[bool, bool]:
    """(certain, hinted) from the page text: site patterns are certain, generic phrases only a hint."""
    certain = bool(rules and any(p.search(text) for p in rules.paywall_patterns))
    return certain, has_paywall_prompt(text)
