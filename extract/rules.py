"""Per-site extraction rules: the `extract:` section of a site file, validated.

Every key is optional; a site with no `extract:` section gets the generic behaviour.

| key               | type          | meaning                                                              |
|-------------------|---------------|----------------------------------------------------------------------|
| title_selector    | CSS           | element whose text is the headline                                   |
| body_selector     | CSS           | container of the article body; only it is handed to trafilatura      |
| date_selector     | CSS           | element holding the publication date (text, or datetime/content attr)|
| author_selector   | CSS           | element(s) naming the authors                                        |
| source_selector   | CSS           | element naming the original source (来源 / Source)                   |
| editor_selector   | CSS           | element naming the editor (责任编辑)                                  |
| drop_selectors    | list of CSS   | removed from the page before extraction                              |
| drop_patterns     | list of regex | a body paragraph that matches (re.search) is dropped                 |
| cut_patterns      | list of regex | the matching paragraph and everything after it are dropped           |
| paywall_selectors | list of CSS   | the page is paywalled if any matches                                 |
| paywall_patterns  | list of regex | the page is paywalled if the page text matches any                   |
| source_patterns   | list of regex | group 1 of the first match in the body names the original source     |
| language          | str           | forced BCP-47 tag ("zh-Hans", "fr", ...) instead of detection        |
| date_formats      | list of str   | strptime formats tried before the generic date parsers               |

`allowed_hosts` and `timezone` come from the site file itself, not from `extract:`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cssselect import GenericTranslator, SelectorError

_CSS_KEYS = ("title_selector", "body_selector", "date_selector", "author_selector",
             "source_selector", "editor_selector")
_CSS_LIST_KEYS = ("drop_selectors", "paywall_selectors")
_REGEX_LIST_KEYS = ("drop_patterns", "cut_patterns", "paywall_patterns", "source_patterns")
KNOWN_KEYS = frozenset(_CSS_KEYS + _CSS_LIST_KEYS + _REGEX_LIST_KEYS + ("language", "date_formats"))


@dataclass(frozen=True)
class ExtractRules:
    allowed_hosts: frozenset[str] = frozenset()
    timezone: str = "UTC"
    title_selector: str | None = None
    body_selector: str | None = None
    date_selector: str | None = None
    author_selector: str | None = None
    source_selector: str | None = None
    editor_selector: str | None = None
    drop_selectors: tuple[str, ...] = ()
    drop_patterns: tuple[re.Pattern, ...] = ()
    cut_patterns: tuple[re.Pattern, ...] = ()
    paywall_selectors: tuple[str, ...] = ()
    paywall_patterns: tuple[re.Pattern, ...] = ()
    source_patterns: tuple[re.Pattern, ...] = ()
    language: str | None = None
    date_formats: tuple[str, ...] = ()


def _check_css(key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"extract.{key}: expected a non-empty CSS selector string, got {value!r}")
    try:
        GenericTranslator().css_to_xpath(value)
    except SelectorError as exc:
        raise ValueError(f"extract.{key}: invalid CSS selector {value!r}: {exc}") from None
    return value


def _as_list(key: str, value: object) -> list:
    if isinstance(value, str):  # a single item written without a YAML list is a common slip
        return [value]
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"extract.{key}: expected a list, got {type(value).__name__}")
    return list(value)


def _compile(key: str, value: object) -> re.Pattern:
    if not isinstance(value, str) or not value:
        raise ValueError(f"extract.{key}: expected a regex string, got {value!r}")
    try:
        return re.compile(value)
    except re.error as exc:
        raise ValueError(f"extract.{key}: regex {value!r} does not compile: {exc}") from None


def parse_extract_rules(mapping: dict | None, *, allowed_hosts=(), timezone: str | None = "UTC") -> ExtractRules:
    """Validate a site's `extract:` mapping; raise ValueError("extract.<key>: <problem>")."""
    mapping = mapping or {}
    if not isinstance(mapping, dict):
        raise ValueError(f"extract: expected a mapping, got {type(mapping).__name__}")
    unknown = sorted(set(mapping) - KNOWN_KEYS)
    if unknown:
        raise ValueError(f"extract.{unknown[0]}: unknown key (known: {', '.join(sorted(KNOWN_KEYS))})")
    tz = timezone or "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"extract.timezone: unknown IANA zone {tz!r}") from None

    fields: dict = {}
    for key in _CSS_KEYS:
        if mapping.get(key) is not None:
            fields[key] = _check_css(key, mapping[key])
    for key in _CSS_LIST_KEYS:
        if key in mapping:
            fields[key] = tuple(_check_css(key, v) for v in _as_list(key, mapping[key]))
    for key in _REGEX_LIST_KEYS:
        if key in mapping:
            fields[key] = tuple(_compile(key, v) for v in _as_list(key, mapping[key]))
    for pattern in fields.get("source_patterns", ()):
        if pattern.groups < 1:
            raise ValueError(f"extract.source_patterns: {pattern.pattern!r} needs a group capturing the source")
    if mapping.get("language") is not None:
        lang = mapping["language"]
        if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
            raise ValueError(f"extract.language: expected a BCP-47 tag like 'zh-Hans', got {lang!r}")
        fields["language"] = lang
    if "date_formats" in mapping:
        formats = _as_list("date_formats", mapping["date_formats"])
        for fmt in formats:
            if not isinstance(fmt, str) or "%" not in fmt:
                raise ValueError(f"extract.date_formats: expected strptime formats, got {fmt!r}")
        fields["date_formats"] = tuple(formats)
    hosts = frozenset(h.lower().strip() for h in allowed_hosts or ())
    return ExtractRules(allowed_hosts=hosts, timezone=tz, **fields)
