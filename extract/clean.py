"""Cleaning around trafilatura: prune widgets from the tree before it, filter paragraphs after it.

Before: site `drop_selectors`, then share / social / related / recommend / comment / reaction / modal widgets
recognised by class, id or ARIA role (English and the pinyin class names Chinese CMSs use). An element
holding most of the page's text is never pruned, whatever its class says, so recall does not drop.

After, per paragraph: whitespace normalised (NBSP, U+3000, indentation), pinyin readings of copying mirrors
removed, credit lines moved into fields, site/generic drop patterns removed, repeated headlines and leading
date lines removed, and the text cut at a site cut pattern or, in the last part of the text only, at a
generic disclaimer / "related" heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable

from .credits import Credits, inline_reporters, parse_credit_line
from .page import Page, squash, text_content
from .rules import ExtractRules

PINYIN_READING = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
_WIDGET = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|sns|bdshare|fenxiang|related|relate|recommend\w*|tuijian|xiangguan|"
    r"comments?|comment-\w+|pinglun|reactions?|mood|xinqing|newsletter|breadcrumbs?|crumbs?|toolbar|m-zbtool|"
    r"hotnews|hot-news|remen|paihang|ranking|popular|most-read|also-read|readmore|read-more|more-news|morenews|"
    r"modal|popup|cookie|cookies|survey|feedback|whatsapp|wechat|weixin|qrcode|download-app|app-download|"
    r"advert\w*|ads|adsbygoogle|sponsored|pagination|prev-next|prevnext|sidebar|side-bar|"
    r"paywall|subscribe|subscription|regwall|piano|login-wall)(?:$|[\s_-])", re.I)
PAYWALL_PROMPT = re.compile(
    r"subscribe (?:now )?to (?:continue|read)|to continue reading|for subscribers only|subscribers? only|"
    r"(?:log|sign) ?in to (?:read|continue|view)|already a subscriber|"
    r"登录后(?:查看|阅读)|登錄後(?:查看|閱讀)|订阅后|訂閱後|会员专享|會員專享|开通会员|付费阅读|"
    r"réservé aux abonnés|abonnez-vous pour|nur für abonnenten|exclusivo para suscriptores", re.I)
_PAYWALL_PROMPT_LOWER = re.compile(PAYWALL_PROMPT.pattern)  # the pattern is lowercase


def has_paywall_prompt(text: str) -> bool:
    """``PAYWALL_PROMPT.search(text)``, as a case-sensitive search of the lowercased text: four times faster."""
    return _PAYWALL_PROMPT_LOWER.search(text.lower()) is not None


_CHROME_ROLES = {"navigation", "complementary", "banner", "contentinfo", "dialog", "alertdialog", "search"}
_NEVER_PRUNE = {"html", "body", "main", "article"}
_HEADING_TAGS = {"h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b", "dt"}

_SPACE_LIKE = re.compile(r"[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff\t]")
_RELATED_HEADING = re.compile(
    r"^(?:相关(?:阅读|新闻|文章|链接|报道|推荐|内容)|推荐(?:阅读|内容|文章|新闻)|热点(?:内容|新闻|推荐)|热门(?:文章|新闻|推荐)|"
    r"延伸阅读|更多(?:新闻|阅读|精彩)|猜你喜欢|你可能(?:还)?(?:感兴趣|喜欢)|相關(?:閱讀|新聞|文章)|推薦(?:閱讀|內容)|"
    r"熱門(?:文章|新聞)|Related(?: News| Articles| Posts| Stories| Content| Reading)?|Read (?:more|also|next)|"
    r"More (?:news|stories|from \w+)|Recommended(?: for you| reading| articles)?|You (?:may|might) also like|"
    r"See also|Lire aussi|À lire aussi|Sur le même sujet|Articles similaires|Dans la même rubrique|"
    r"Das könnte Sie auch interessieren|Mehr zum Thema|Weitere Artikel|Noticias relacionadas|Te puede interesar|"
    r"Leer más|関連記事|관련 기사|ข่าวที่เกี่ยวข้อง|您此时的心情|新闻表情排行|阅读剩余全文|加载更多|"
    r"Load more|Show more)\s*[:：(（/]?$", re.I)
_DISCLAIMER = re.compile(
    r"^(?:\S{0,12}(?:声明|聲明)\s*[:：]|免责声明|免責聲明|版权声明|版權聲明|郑重声明|特别声明|"
    r"Disclaimer|Avertissement|Haftungsausschluss|Aviso legal|Descargo de responsabilidad|Copyright\b|©)|"
    r"does not guarantee the accuracy|本网所有内容的版权|"
    r"版权所有|版權所有|All rights reserved|Tous droits réservés|Alle Rechte vorbehalten|"
    r"Todos los derechos reservados|未经(?:授权|许可)|未經(?:授權|許可)|如需转载|如需轉載|转载请注明|轉載請註明", re.I)
# Chrome lines: prefixes that never start a sentence, a login prompt, and short lines that are only a widget label.
_DROP_START = re.compile(
    r"(?:\d+\s*次(?:浏览|瀏覽|阅读|閱讀)|点击右上角|請?使用浏览器分享|请使用浏览器分享|正在阅读[:：]|正在閱讀[:：]|"
    r"【上一篇】|【下一篇】|上一篇[:：]|下一篇[:：]|Previous (?:article|post)[:：]|Next (?:article|post)[:：])"
    r"|\+?[\d\s()./-]{8,}$", re.I)
_LOGIN_PROMPT = re.compile(r"(?:请|請)登(?:录|錄).{0,40}(?:了解|查看)更多")
_DROP_WHOLE = re.compile(
    r"(?:分享到|分享至|Share(?: this(?: article| story)?| on)?|Partager|Teilen|Compartir|朋友圈|微信好友|微博|QQ空间|"
    r"(?:Language|Langue|Sprache|Idioma|语言|語言)|.{0,30}\b(?:WhatsApp|WeChat|Telegram)\b.{0,20})\s*[:：]?\s*[\d/|·]*", re.I)
_CRUMB_SEPARATOR = re.compile(r"[>›»]")
_BARE_TIMESTAMP = re.compile(r"^\[?\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\]?$")
_LEADING_BULLET = re.compile(r"^[•·▪◦●\-–*]\s*")
_KEYWORD_ITEM_SPLIT = re.compile(r"[,，、|｜_]|\s+")
_KEYWORD_SEPARATORS = re.compile(r"\s*[,，、|｜_]\s*")


@dataclass
class CleanResult:
    paragraphs: list[str]
    credits: Credits = field(default_factory=Credits)
    pinyin_readings: int = 0
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (rule, paragraph) for each paragraph taken out


@lru_cache(maxsize=16384)  # a template repeats its class names on every element and every page
def _is_widget_hint(hint: str) -> bool:
    return _WIDGET.search(hint) is not None


@dataclass
class Widgets:
    """What the page holds besides its article: the site's `drop_selectors` matches and the generic widgets
    (share, related, comment, cookie... boxes without running text). Both leave the tree before trafilatura
    reads it; a second reading of the untouched page has the widgets' lines taken out (`without_widget_lines`)."""
    site: list = field(default_factory=list)
    generic: list = field(default_factory=list)

    @cached_property
    def joined(self) -> str:
        """The generic widgets' texts, whitespace removed, NUL-separated: a quick first test for a line."""
        return "\0".join("".join(text_content(el).split()) for el in self.generic)

    @cached_property
    def texts(self) -> frozenset:
        """The text of every element inside a generic widget, whitespace removed."""
        return frozenset(_element_texts(self.generic))



def find_widgets(page: Page, rules: ExtractRules | None, headline_el=None) -> Widgets:
    """Site drop_selectors, and generic widgets recognised by class/id/role hints or by a heading such as
    "推荐阅读" / "Related News" labelling their container. Nothing that holds the headline, most of the page's
    text or a block of running text is a widget, whatever its class says."""
    widgets = Widgets(site=site_drops(page, rules))
    body = page.root.find("body")
    total = len(text_content(body)) if body is not None else 0
    protected = set(headline_el.iterancestors()) if headline_el is not None else set()

    articles = set()  # hinted containers that hold most of the page's text: the article under a misleading name

    def removable(el) -> bool:
        if el in protected or el.tag in _NEVER_PRUNE:
            return False
        size = len(text_content(el))
        if size >= 500 and size >= 0.4 * total:  # a "widget" holding most of the text is the article
            articles.add(el)
            return False
        return not carries_prose(el)

    for el in page.root.iter():
        if not isinstance(el.tag, str) or el.tag in _NEVER_PRUNE:
            continue
        hint = f"{el.get('class', '')} {el.get('id', '')}"
        if (el.get("role") or "").lower() in _CHROME_ROLES or (hint != " " and _is_widget_hint(hint)):
            # the entries of such a container (a live blog's "live-comment" items) share its name, not its role
            if not any(ancestor in articles for ancestor in el.iterancestors()) and removable(el):
                widgets.generic.append(el)
        elif el.tag in _HEADING_TAGS and len(el) <= 1 and all(len(child) == 0 for child in el):
            text = squash(text_content(el))
            if len(text) <= 24 and _RELATED_HEADING.match(text):
                parent = el.getparent()
                widgets.generic.append(parent if parent is not None and removable(parent) else el)
    return widgets


def site_drops(page: Page, rules: ExtractRules | None) -> list:
    """The elements the site's `drop_selectors` name."""
    return [el for css in (rules.drop_selectors if rules else ()) for el in page.select(css)]


def drop_elements(elements) -> None:
    """Remove `elements` from their tree (their tails are kept); detached, they keep their own text."""
    for el in elements:
        if el.getparent() is not None:
            el.drop_tree()


def _element_texts(elements):
    """Whitespace-free texts of `elements` and of every element inside them: the units trafilatura's lines are
    made of (a link, a list item, a paragraph of links)."""
    for top in elements:
        for el in top.iter():
            if isinstance(el.tag, str) and el.tag not in ("script", "style"):
                text = "".join(text_content(el).split())
                if text:
                    yield text


def without_widget_lines(lines: list[str], widgets: Widgets) -> list[str]:
    """trafilatura's lines less those that are the whole text of an element inside a widget (a share bar, a
    related list's items). Only such lines go: a line merely contained in a widget's text (a signature that a
    related headline repeats) stays."""
    if not widgets.generic:
        return lines
    return [line for line in lines
            if not ((bare := "".join(_LIST_MARK.sub("", line).split())) and bare in widgets.joined
                    and bare in widgets.texts)]


_LIST_MARK = re.compile(r"^\s*-\s+")  # trafilatura writes a list item as "- item"


PROSE_RUN = 150  # characters of text outside links in one block: a sentence or two, not a label or a teaser


def carries_prose(el) -> bool:
    """Whether `el` holds a block of running text outside links: what an article is made of, and what a share
    bar, a link list or a button row never has. Class names lie (a metered article sits in a "paywall" box, a
    story in a "related-content" wrapper); running text does not."""
    for block in el.iter("p", "div", "section", "article", "blockquote", "li", "td", "span"):
        own = [block.text or ""] + [child.tail or "" for child in block]
        if sum(len("".join(part.split())) for part in own) >= PROSE_RUN:
            return True
    return False


def _teaser_run_start(paragraphs: list[str]) -> int | None:
    """Index where a list of teasers starts: three or more "text / bare timestamp" pairs in a row."""
    run_start, pairs, index = None, 0, 0
    while index + 1 < len(paragraphs):
        if _BARE_TIMESTAMP.match(paragraphs[index + 1]) and not _BARE_TIMESTAMP.match(paragraphs[index]):
            run_start = index if pairs == 0 else run_start
            pairs += 1
            if pairs >= 3:
                return run_start
            index += 2
        else:
            run_start, pairs, index = None, 0, index + 1
    return None


def normalise_paragraph(text: str) -> str:
    return squash(_SPACE_LIKE.sub(" ", text))


def looks_like_keyword_list(line: str) -> bool:
    """Spam mirrors open with a line of search keywords: many short items and no sentence.

    Spaces only separate items in CJK text; in Latin text they separate words of an ordinary sentence.
    """
    if re.search(r"[。.!?！？:：]", line):
        return False
    cjk = len(re.findall(r"[\u4e00-\u9fff]", line)) > 0.5 * len(line.replace(" ", ""))
    items = [i for i in (_KEYWORD_ITEM_SPLIT if cjk else _KEYWORD_SEPARATORS).split(line) if i.strip()]
    return len(items) >= 6 and sum(map(len, items)) / len(items) <= 8


def _is_breadcrumb(text: str) -> bool:
    """``Home > Markets > Steel``: three or more short parts between ``>``/``›``/``»``, one trailing separator
    allowed. Split, not matched by one regex: the parts and the spaces around separators make a pattern
    backtrack exponentially on a long line that almost is a breadcrumb."""
    parts = _CRUMB_SEPARATOR.split(text)
    if len(parts) > 1 and not parts[-1].strip():
        parts.pop()
    return len(parts) >= 3 and all(1 <= len(part.strip()) <= 20 for part in parts)


def _is_chrome_line(text: str) -> bool:
    return bool(_DROP_START.match(text) or ("登" in text and _LOGIN_PROMPT.search(text))
                or (len(text) <= 50 and _DROP_WHOLE.fullmatch(text)) or _is_breadcrumb(text)
                or _RELATED_HEADING.match(text) or (len(text) <= 200 and has_paywall_prompt(text)))


TAIL_PROSE = 160  # a paragraph this heavy after a tail marker is the article going on, not a teaser or a notice


def text_weight(text: str) -> int:
    """Non-space characters, a CJK character counted thrice: it carries about what a three-letter word does."""
    squeezed = "".join(text.split())
    return len(squeezed) + 2 * sum(1 for c in squeezed if "\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af")


NOTICE_PARAGRAPHS = 3  # a disclaimer or a copyright notice runs to a few paragraphs; an article section to more
_PHOTO_CREDIT = re.compile(r"^(?:©|\(c\)|Foto:|Photo:|Bild:|Crédit photo)\s*(?!.*\b(?:19|20)\d\d\b).{1,60}$", re.I)


def _article_goes_on(rest: list[str]) -> bool:
    """Whether more running text follows a tail marker than a notice holds: then the marker (a heading that
    reads like a disclaimer) sits inside the article, and cutting there would lose the rest of it. Teaser pairs
    (a summary, then a bare timestamp) are a related list, not the article."""
    prose = [p for i, p in enumerate(rest) if text_weight(p) >= TAIL_PROSE and not _DISCLAIMER.search(p)
             and not (i + 1 < len(rest) and _BARE_TIMESTAMP.match(rest[i + 1]))]
    return len(prose) > NOTICE_PARAGRAPHS


def _drop_rule(text: str, index: int, count: int, rules: ExtractRules | None, titles: set[str],
               is_date_line: Callable[[str], bool]) -> str | None:
    """Why one paragraph (not a credit line) is not article text, or None when it is."""
    if rules and any(p.search(text) for p in rules.drop_patterns):
        return "site drop pattern"
    if _is_chrome_line(text):
        return "chrome line (share, breadcrumb, login or paywall prompt, pager)"
    bare = _LEADING_BULLET.sub("", text)
    if bare in titles or bare.rstrip("。.") in titles:
        return "the headline, repeated"
    if index < 3 and count > 3 and len(bare) <= 45 and is_date_line(bare):
        return "leading date line"
    return None


def clean_paragraphs(lines: list[str], *, titles: tuple[str, ...], rules: ExtractRules | None,
                     is_date_line: Callable[[str], bool] = lambda _: False) -> CleanResult:
    result = CleanResult(paragraphs=[])
    paragraphs = []
    for line in lines:
        text = normalise_paragraph(line)
        if re.search(r"[\u4e00-\u9fff]\(", text):
            text, hits = PINYIN_READING.subn("", text)
            result.pinyin_readings += hits
        if text:
            paragraphs.append(text)
    wanted_titles = {normalise_paragraph(PINYIN_READING.sub("", t)) for t in titles if t}
    total = sum(map(len, paragraphs)) or 1
    offset = 0
    teaser_start = _teaser_run_start(paragraphs)
    for index, text in enumerate(paragraphs):
        in_tail = index >= 1 and (offset >= 0.4 * total or index >= len(paragraphs) - 5)
        offset += len(text)
        if rules and any(p.search(text) for p in rules.cut_patterns):
            result.dropped.extend(("site cut pattern and what follows", p) for p in paragraphs[index:])
            break
        if _PHOTO_CREDIT.match(text):
            result.dropped.append(("photo credit", text))
            continue
        if in_tail and (_RELATED_HEADING.match(text) or _DISCLAIMER.search(text) or index == teaser_start):
            if not _article_goes_on(paragraphs[index + 1:]):
                result.dropped.extend(("related heading, disclaimer or teaser run in the tail, and what follows", p)
                                      for p in paragraphs[index:])
                break
            if index != teaser_start:  # a heading inside the article that looks like a notice: that line only
                result.dropped.append(("disclaimer or related heading line", text))
                continue
        credits = parse_credit_line(text)
        if credits:
            result.credits.merge(credits)  # moved into the article's fields
            result.dropped.append(("credit line", text))
            continue
        rule = _drop_rule(text, index, len(paragraphs), rules, wanted_titles, is_date_line)
        if rule:
            result.dropped.append((rule, text))
        else:
            result.paragraphs.append(text)
    if result.paragraphs and not result.credits.authors:
        result.credits.authors = inline_reporters(result.paragraphs[0])
    return result
