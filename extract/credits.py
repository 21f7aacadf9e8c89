"""Credit lines: 作者 / 记者 / 文/ / By, 来源 / Source, 责任编辑 / Editor, 一审…终审, 分类.

News sites put these inside the article container (so every extractor keeps them as body text) or in the
line under the headline. `parse_credit_line` reads a line made only of such credits (plus, at most, a date
and a view counter) into fields; the cleaner then moves the line out of the text instead of losing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_FIELD_LABELS = {
    "reviewer": "一审 二审 三审 终审 一審 二審 三審 終審",
    "editor": "责任编辑 責任編輯 值班编辑 值班編輯 编辑 編輯 责编 責編 Editor Editors Rédacteur Redaktion",
    "source": "资讯来源 資訊來源 文章来源 文章來源 稿件来源 稿件來源 新闻来源 新聞來源 信息来源 来源 來源 出处 出處 "
              "Source Sources Quelle Fuente Fonte",
    "author": "作者 记者 記者 撰文 撰稿 通讯员 通訊員 Author Authors Auteur Auteurs Autor Autoren",
    "category": "分类 分類 栏目 欄目 频道 頻道 Category Catégorie Rubrique",
    # labelled dates end the value before them; the date itself is read by extract.dates
    "date": "日期 发布日期 發佈日期 发布时间 發佈時間 发表时间 發表時間 时间 時間 Date Datum Fecha",
}
_LABEL_FIELD = {label.lower(): name for name, labels in _FIELD_LABELS.items() for label in labels.split()}
_LABELS = sorted(_LABEL_FIELD, key=len, reverse=True)
# A label is followed by a colon; 作者/记者 may instead be followed by a space ("作者 何艾琳").
_LABEL = re.compile(r"(?<![^\W\d_])(" + "|".join(map(re.escape, _LABELS)) + r")\s*[:：]\s*", re.I)
_BARE_AUTHOR = re.compile(r"^(?:本报|本網|本网)?(?:作者|记者|記者|通讯员|通訊員)\s+(?=\S)")
_SLASH_AUTHOR = re.compile(r"^(?:文|撰文|文字|图文|圖文)\s*[/／|｜]\s*(?=\S)")
_BY = re.compile(r"^(?:By|Par|Von|Por|Text:?)\s+(?=[A-Z])")
_LATIN_NAMES = re.compile(r"^[A-Z][\w.'’-]*(?:(?:\s+|\s*,\s*)(?:[A-Z][\w.'’-]*|and|&|de|van|von|der|da))*$")
_DATE_TAIL = re.compile(r"\s*(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_VIEWS = re.compile(r"\d+\s*次(?:浏览|瀏覽|阅读|閱讀|点击|點擊)|(?:浏览|瀏覽|阅读|閱讀|点击|點擊)(?:次数|量)?[:：]?\s*\d+"
                    r"|\d+\s*(?:views|vues)\b", re.I)
TRAILING_DATE = re.compile(  # "... March 25, 2015", "... 22 Dec 2016", "... 08.11.2023 10:05", "... 2025年11月20日"
    r"[\s,|·-]*(?:\b(?:on|am|le|el)\s+)?(?:\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{4}-\d\d-\d\d\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b.*|\b\d{1,2}\.?\s+(?:jan|feb|mar|"
    r"apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}\b.*|\d{1,2}:\d\d\b.*|\d{4}年.*)$", re.I)
_DATEISH = re.compile(r"^[\d\s:：年月日号/.\-]*$")
_NAME_SPLIT = re.compile(r"\s*(?:[,，、;；/&|｜]|\band\b|\bet\b|\bund\b|\by\b)\s*")
_CJK_NAME_LIST = re.compile(r"^[\u4e00-\u9fff·]{2,5}(?:\s+[\u4e00-\u9fff·]{2,5})+$")
_ROLE_WORDS = re.compile(r"^(?:本报|本網|本网|特约|特約)?(?:记者|記者|通讯员|通訊員|实习生|實習生|作者)\s*")
_OUTER_BRACKETS = re.compile(r"^[（(【\[]\s*(.*?)\s*[)）】\]]$")
_INLINE_REPORTER = re.compile(r"[（(]\s*(?:本报|本网|本網)?(?:记者|記者)\s*([\u4e00-\u9fff·\s、]{2,24}?)\s*(?:报道|報道)?[）)]")


_ANY_LABEL = re.compile("|".join(map(re.escape, _LABELS)) + r"|作者|记者|記者|文\s*[/／]|^By\s", re.I)


def mentions_credit(text: str) -> bool:
    """Cheap pre-check before parse_credit_line."""
    return bool(_ANY_LABEL.search(text))


@dataclass
class Credits:
    authors: list[str] = field(default_factory=list)
    editor: str | None = None
    reviewers: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    categories: list[str] = field(default_factory=list)

    def merge(self, other: "Credits") -> None:
        """Fill what is still empty; the first place that names a field wins."""
        self.authors = self.authors or other.authors
        self.editor = self.editor or other.editor
        for key, value in other.reviewers.items():
            self.reviewers.setdefault(key, value)
        self.source = self.source or other.source
        self.categories = self.categories or other.categories


def split_names(value: str) -> list[str]:
    """'郭志民 楊寧' / 'A, B and C' / '张三、李四' → names, role words removed."""
    value = _ROLE_WORDS.sub("", value.strip(" .,;:"))
    if _CJK_NAME_LIST.match(value):
        parts = value.split()
    else:
        parts = _NAME_SPLIT.split(value)
    names = [_ROLE_WORDS.sub("", p).strip(" .") for p in parts]
    return [n for n in dict.fromkeys(names) if n and len(n) <= 40]


_WIDGETS = re.compile(r"【[^】]{1,8}】")  # 【打印】【关闭】 toolbar links glued to the credit line


def _clean_value(value: str) -> str:
    return _DATE_TAIL.sub("", _WIDGETS.sub("", value)).strip(" ,，;；|｜·")


def parse_credit_line(line: str, max_len: int = 120) -> Credits | None:
    """Credits named by `line`, or None when the line is not made only of credits."""
    text = line.strip()
    inner = _OUTER_BRACKETS.match(text)
    text = inner.group(1) if inner else text
    if not text or len(text) > max_len:
        return None
    credits = Credits()
    for pattern in (_BARE_AUTHOR, _SLASH_AUTHOR, _BY):
        match = pattern.match(text)
        if match and not _LABEL.search(text) and len(text) - match.end() <= 40:
            names = TRAILING_DATE.sub("", text[match.end():]) if pattern is _BY else text[match.end():]
            if pattern is _BY and not _LATIN_NAMES.match(names):
                return None  # "By 2030, ..." or "By contrast" start sentences, not bylines
            credits.authors = split_names(names)
            return credits if credits.authors else None
    matches = list(_LABEL.finditer(text))
    if not matches:
        return None
    lead = _VIEWS.sub("", text[:matches[0].start()])
    if not _DATEISH.match(lead):  # something other than a date or a counter precedes the first label
        return None
    for match, nxt in zip(matches, matches[1:] + [None]):
        value = _clean_value(_VIEWS.sub("", text[match.end():nxt.start() if nxt else len(text)]))
        if len(value) > 40:
            return None
        label = match.group(1)
        kind = _LABEL_FIELD[label.lower()]
        if not value:
            continue
        if kind == "author":
            credits.authors = credits.authors or split_names(value)
        elif kind == "editor":
            credits.editor = credits.editor or value
        elif kind == "reviewer":
            credits.reviewers.setdefault(label, value)
        elif kind == "source":
            credits.source = credits.source or value
        elif kind == "category":
            credits.categories = credits.categories or split_names(value)
    return credits


def inline_reporters(paragraph: str) -> list[str]:
    """Reporters named inside a lead paragraph: '本报讯（记者 张三 李四）…' → ['张三', '李四']."""
    match = _INLINE_REPORTER.search(paragraph[:120])
    return split_names(match.group(1)) if match else []
