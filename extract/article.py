"""`extract_article`: raw page bytes + optional site rules → Article | Rejected.

Pure: no database, network, clock or process-wide state (trafilatura deduplication off); the same input gives
a byte-identical result. The page is decoded once and parsed once; the pruned lxml tree is handed to
trafilatura.

Paywalls are a flag, never a reason to discard visible text: every page keeps all the article text its HTML
holds. `paywalled=True` says that text is cut: the site's own paywall selector or pattern matched, or a generic
signal (JSON-LD `isAccessibleForFree: false`, paywall class names, a subscribe prompt) stands beside a short
visible text. A metered page served in full is an ordinary article. Consumers must treat a paywalled text as a
teaser (it is excluded from duplicate detection by the flag). A paywalled page with no headline is
`Rejected("paywalled_teaser")`.
"""

from __future__ import annotations

import json
import re
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from .clean import (PINYIN_READING, clean_paragraphs, drop_elements, find_widgets, looks_like_keyword_list, site_drops,
                    text_weight, without_widget_lines, _LEADING_BULLET)
from .credits import Credits
from .authors import byline_authors, clean_names
from .dates import parse_date_text
from .published import find_published
from .decode import UndecodableError, decode_page
from .dedupe import text_sha256
from .language import detect_language
from .metadata import paywall_phrase_in, read_page_metadata
from .page import Page
from .rules import ExtractRules
from .zones import default_timezone

EXTRACTOR_VERSION = "1.3.3"
_MARKUP = re.compile(r"<(?:p|div|article|section|br)\b", re.I)

NOT_ARTICLE = "not_article"
PAYWALLED_TEASER = "paywalled_teaser"
EMPTY = "empty"
WRONG_HOST = "wrong_host"
MIRROR = "mirror"
UNDECODABLE = "undecodable"
SOFT_404 = "soft_404"
TIMEOUT = "timeout"  # recorded by the pipeline when a page's extraction runs past its time budget
REJECT_REASONS = frozenset({NOT_ARTICLE, PAYWALLED_TEASER, EMPTY, WRONG_HOST, MIRROR, UNDECODABLE, SOFT_404,
                            TIMEOUT})

MIRROR_MIN_READINGS = 10  # a real page never has a dozen "字(pīnyīn)" readings
_ROOT_PATH = re.compile(r"^/?(?:(?:index|default|home)\.(?:s?html?|aspx?|php|jsp))?$", re.I)
# An error page's title: a "not found" phrase as the whole title, or as its first or last segment (segments split
# by | – — : · _ or a hyphen that does not join two letters or digits), so "Page not found – Site" and "站名-页面不存在"
# are error pages while "Steel plant story-404 is back", "Model X-404 review" and "Lithium not found in survey" are
# headlines.
_NOT_FOUND_PHRASE = (
    r"(?:http\s*)?(?:(?:error|erreur|fehler)(?:\s+code)?\s*)?404(?:\s*(?:error|page|erreur|fehler))?"
    r"(?:\s*[-–:]?\s*(?:(?:page|file)\s+)?not\s+found)?"
    r"|(?:404\s*[-–:]?\s*)?(?:(?:oops|sorry|error)[!,.:]*\s*)?(?:(?:the\s+)?(?:page|file|article|content|document)\s+)?"
    r"(?:not\s+found|(?:could\s+not|cannot|can[’']t)\s+be\s+found)"
    r"|(?:404\s*)?(?:(?:抱歉|对不起|對不起)[，,！!]?\s*)?"
    r"(?:您(?:所)?(?:要)?(?:访问|訪問|请求|請求|查找)的)?(?:页面|頁面|网页|網頁)(?:不存在|未找到|找不到|无法找到|無法找到|"
    r"已删除|已被删除|已刪除|不存在或已被删除)[!！。]?"
    r"|(?:404\s*)?找不到(?:该|此|您要的)?(?:页面|頁面|网页|網頁)"
    r"|page\s+(?:introuvable|non\s+trouvée)|seite\s+nicht\s+gefunden|página\s+no\s+encontrada"
    r"|página\s+não\s+encontrada|ページが見つかりません|페이지를\s*찾을\s*수\s*없습니다"
    r"|ไม่พบหน้า(?:ที่(?:คุณ)?ต้องการ|เว็บ|ที่ค้นหา)?"
)
_SEGMENT_END = r"(?:\s*[|｜–—:：·•»_]|\s+-|(?<![A-Za-z0-9])-|-(?![A-Za-z0-9]))"
_SEGMENT_START = r"(?:[|｜–—:：·•«_]\s*|-\s+|(?<![A-Za-z0-9])-|-(?![A-Za-z0-9]))"
_SOFT_404 = re.compile(rf"^\s*(?:{_NOT_FOUND_PHRASE})\s*[.!。！]?\s*(?:$|{_SEGMENT_END})"
                       rf"|{_SEGMENT_START}\s*(?:{_NOT_FOUND_PHRASE})\s*[.!。！]?\s*$", re.I)
_DATE_LINE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_PAYWALL_TEXT_LIMIT = 1500  # a generic paywall signal is only believed when the visible text is this short


@dataclass(frozen=True)
class Article:
    url: str
    title: str | None
    text: str
    text_sha256: str
    authors: tuple[str, ...] = ()
    editor: str | None = None
    reviewers: dict = field(default_factory=dict)
    original_source: str | None = None
    published_at: datetime | None = None
    published_raw: str | None = None
    published_rule: str | None = None
    language: str | None = None
    paywalled: bool = False
    image_url: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    canonical_url: str | None = None
    replaced_bytes: int = 0  # damaged byte sequences the decoder left out of the text

    def to_dict(self) -> dict:
        out = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            out[name] = value
        return out


@dataclass(frozen=True)
class Rejected:
    url: str
    reason: str
    detail: str = ""

    def __post_init__(self):
        if self.reason not in REJECT_REASONS:
            raise ValueError(f"unknown reject reason {self.reason!r}")


def _run_trafilatura(tree, url: str) -> list[str]:
    import trafilatura  # heavy import, paid on first extraction rather than on `import extract`

    options = copy(_trafilatura_options())  # a copy per page: the shared options never carry a page's URL
    options.url = url
    options.source = url.encode("utf-8", "replace").decode("utf-8") if url else None  # as trafilatura's own
    document = trafilatura.bare_extraction(tree, options=options)
    return document.text.splitlines() if document is not None and document.text else []


@lru_cache(maxsize=1)
def _trafilatura_options():
    """trafilatura's options, built once: building them reads its configuration anew (about 4% of a page's
    extraction time)."""
    from trafilatura.settings import Extractor

    return Extractor(output_format="python", comments=False, tables=True, images=False, dedup=False,
                     with_metadata=False)


def _body_tree(page: Page, rules: ExtractRules | None):
    """The subtree trafilatura should read: the site's body container if it has one, else the whole page."""
    if rules and rules.body_selector:
        found = page.select(rules.body_selector)
        if found:
            import lxml.html

            wrapper = lxml.html.fromstring("<html><body></body></html>")
            wrapper.find("body").append(found[0])  # moves the node: the page tree is not used afterwards
            return wrapper
    return page.root


ARTICLE_PROSE = 300  # characters of running text outside link rows that make a page an article, whatever else it holds
_PROSE_PARAGRAPH = 80  # a paragraph this long (CJK: a third of it) is running text, not a label


def _prose_outside_links(paragraphs: list[str], anchors: set[str], rows: str) -> int:
    """Characters of the paragraphs that are running text and neither a link's label nor a list row's text."""
    total = 0
    for paragraph in paragraphs:
        bare = _LEADING_BULLET.sub("", paragraph)
        squeezed = "".join(bare.split())
        weight = text_weight(bare)
        if weight < _PROSE_PARAGRAPH or bare in anchors or squeezed in rows or _DATE_LINE.match(bare):
            continue
        total += weight
    return total


SHORT_READING = 600  # characters: a reading this short after widget removal is checked against the whole page


def _article_lines(page: Page, rules: ExtractRules | None, url: str, headline: str | None) -> list[str]:
    """trafilatura's lines of the page, read with the site's drop selectors and the generic widgets removed.

    A generic widget carries no running text (see `find_widgets`), so removing it never removes article prose,
    and trafilatura reads a smaller, cleaner tree. Where that reading is short, trafilatura also reads the page
    as it came (parsed anew), the widgets' own lines taken out afterwards, and the longer reading is kept; if
    both are short while trafilatura's plain reading is not, what looked like widgets was the article and the
    plain reading is returned. A page whose article was misjudged keeps what trafilatura alone would return.
    """
    widgets = find_widgets(page, rules, page.headline_element(headline))
    drop_elements(widgets.site)
    if not widgets.generic:
        return _run_trafilatura(_body_tree(page, rules), url)
    drop_elements(widgets.generic)  # detached, they keep their text for without_widget_lines
    lines = _run_trafilatura(_body_tree(page, rules), url)
    if sum(map(len, lines)) >= SHORT_READING:
        return lines
    whole = Page(page.html, url)
    drop_elements(site_drops(whole, rules))
    plain = _run_trafilatura(_body_tree(whole, rules), url)
    kept = without_widget_lines(plain, widgets)
    best = max((lines, kept), key=lambda reading: sum(map(len, reading)))
    if sum(map(len, best)) < SHORT_READING <= sum(map(len, plain)):
        return plain  # what was taken for widgets was the article: trafilatura's own reading is the floor
    return best


def _looks_like_listing(url: str, paragraphs: list[str], anchors: set[str], teaser_rows: list[str]) -> str | None:
    """Why the page is a list of links rather than an article, or None. Never on a page whose body holds an
    article's worth of running text outside its links: such a page is an article with link lists beside it."""
    rows = "\n".join(teaser_rows)
    prose = _prose_outside_links(paragraphs, anchors, rows)
    if prose >= ARTICLE_PROSE:
        return None
    in_rows = [p for p in paragraphs if len(p) >= 4 and "".join(_LEADING_BULLET.sub("", p).split()) in rows]
    linked = [p for p in paragraphs if _LEADING_BULLET.sub("", p) in anchors]
    # a home page is a front page of teasers, unless what it shows is a text of its own (a welcome, an about)
    if _ROOT_PATH.match(urlsplit(url).path or "/") and (in_rows or linked or prose < ARTICLE_PROSE // 2):
        return "site root"
    if not paragraphs:
        return f"no text and {len(anchors)} links" if len(anchors) >= 15 else None
    row_share = sum(map(len, in_rows)) / max(1, sum(map(len, paragraphs)))
    if len(in_rows) >= 3 and row_share >= 0.5:
        return f"{row_share:.0%} of the text comes from {len(teaser_rows)} repeated link items"
    dates = [p for p in paragraphs if _DATE_LINE.match(p)]
    share = sum(map(len, linked)) / max(1, sum(map(len, paragraphs)))
    if len(linked) >= 5 and share >= 0.3 or len(linked) >= 3 and share >= 0.6:
        return f"{len(linked)} paragraphs are link texts ({share:.0%} of the text)"
    if len(dates) >= 5 and len(dates) >= 0.25 * len(paragraphs):
        return f"{len(dates)} bare date lines: a teaser list"
    text = " ".join(paragraphs)
    if len(anchors) >= 5 and len(text) < 3000:  # a navigation bar run together into one "paragraph"
        rest = text
        for anchor in sorted(anchors, key=len, reverse=True):
            rest = rest.replace(anchor, "")
        if len("".join(rest.split())) < 0.1 * len("".join(text.split())):
            return f"the text is {len(anchors)} link labels run together"
    return None


def html_of_json_reply(text: str) -> str | None:
    """The article HTML inside a JSON reply (AJAX sites serve articles so): its longest string holding markup."""
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return None
    try:
        document = json.loads(stripped)
    except ValueError:
        return None
    strings = [value for value in _json_strings(document) if _MARKUP.search(value)]
    return max(strings, key=len) if strings else None


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _source_in_text(paragraphs: list[str], rules: ExtractRules | None) -> str | None:
    for pattern in rules.source_patterns if rules else ():
        for paragraph in paragraphs:
            match = pattern.search(paragraph)
            if match and match.group(1).strip():
                return match.group(1).strip()
    return None


def extract_article(body: bytes | str, url: str, *, rules: ExtractRules | None = None,
                    http_charset: str | None = None, fetched_at: datetime,
                    timezone: str | None = None) -> Article | Rejected:
    if fetched_at is None or fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be a timezone-aware datetime")
    try:
        html, _codec, replaced = decode_page(body, http_charset)
    except UndecodableError as exc:
        return Rejected(url, UNDECODABLE, str(exc))
    if not html.strip():
        return Rejected(url, EMPTY, "empty body")
    html = html_of_json_reply(html) or html
    host = (urlsplit(url).hostname or "").lower()
    if rules and rules.allowed_hosts and host not in rules.allowed_hosts:
        readings = len(PINYIN_READING.findall(html))
        if readings >= MIRROR_MIN_READINGS:
            return Rejected(url, MIRROR, f"{host}: {readings} pinyin readings")
        return Rejected(url, WRONG_HOST, f"{host} not in {sorted(rules.allowed_hosts)}")

    page = Page(html, url)
    declared_language = page.root.get("lang") or page.meta.get("content-language")
    tz = timezone or (rules.timezone if rules else default_timezone(url, declared_language, _codec))
    meta = read_page_metadata(page, rules)
    found = find_published(page, fetched_at=fetched_at, timezone=tz,
                           date_selector=rules.date_selector if rules else None,
                           formats=rules.date_formats if rules else (), headline=meta.title_on_page)
    anchors = page.anchor_texts()
    teaser_rows = page.teaser_texts()
    certain, hinted = paywall_phrase_in(page.visible_text(), rules)
    certain = certain or meta.paywall_by_rule
    lines = _article_lines(page, rules, url, meta.title_on_page)

    def is_date_line(text: str) -> bool:
        return parse_date_text(text, fetched_at=fetched_at, timezone=tz, use_dateparser=False) is not None

    cleaned = clean_paragraphs(lines, titles=(meta.title, meta.title_on_page), rules=rules, is_date_line=is_date_line)
    paragraphs = cleaned.paragraphs
    if rules and (cleaned.pinyin_readings >= MIRROR_MIN_READINGS or (paragraphs and looks_like_keyword_list(paragraphs[0]))):
        return Rejected(url, MIRROR, f"{cleaned.pinyin_readings} pinyin readings or a keyword-list first line")
    title = PINYIN_READING.sub("", meta.title) if meta.title else None
    text = "\n".join(paragraphs)

    if title and _SOFT_404.search(title) and len(text) < 1000:
        return Rejected(url, SOFT_404, f"title {title!r}")
    declared = meta.declares_article and title and paragraphs  # a headline and a body on a page that says so
    listing = None if declared else _looks_like_listing(url, paragraphs, anchors, teaser_rows)
    if listing:
        return Rejected(url, NOT_ARTICLE, listing)
    paywalled = certain or bool(meta.paywall_signals or hinted) and len(text) < _PAYWALL_TEXT_LIMIT
    if paywalled and not title:
        return Rejected(url, PAYWALLED_TEASER, "paywalled page without a headline")
    if not text and not paywalled:
        return Rejected(url, EMPTY, "no body text after cleaning")

    credits = Credits()
    credits.merge(meta.credits)    # site selectors and the line under the headline
    credits.merge(cleaned.credits)  # credit lines inside the body
    credits.merge(meta.loose_credits)  # credit-only elements elsewhere on the page
    authors = clean_names(credits.authors) or clean_names(meta.authors)
    if not authors and rules is None:  # a site rule names its bylines (author_selector); a generic page has none
        authors = clean_names(byline_authors(page))
    source = credits.source or _source_in_text(paragraphs, rules) or meta.publisher
    return Article(
        url=url, title=title, text=text, text_sha256=text_sha256(text),
        authors=tuple(authors), editor=credits.editor, reviewers=dict(credits.reviewers),
        original_source=source,
        published_at=found.value if found else None, published_raw=found.raw if found else None,
        published_rule=found.rule if found else None,
        language=(rules.language if rules and rules.language else detect_language(text or title or "")),
        paywalled=paywalled, image_url=meta.image_url,
        categories=tuple(dict.fromkeys(list(meta.categories) + list(credits.categories))), tags=tuple(meta.tags),
        canonical_url=meta.canonical_url, replaced_bytes=replaced,
    )
