"""The ``crawl:`` section of a site rule file: how the spider discovers and fetches a site's articles.

Keys (all optional):
  feeds            RSS/Atom URLs, or the word ``auto``: the feeds the home page (``base_url``) names in
                   ``<link rel="alternate" type="application/rss+xml|atom+xml">``, or, when it names none, the
                   usual paths /feed, /rss, /rss.xml, /feed.xml, /atom.xml, /index.xml (those that answer a feed)
  sitemaps         XML sitemap or sitemap-index URLs (Google-News sitemaps are filtered by publication date), or the
                   word ``robots``: the ``Sitemap:`` lines of the robots.txt of ``base_url``'s host
  sitemap_follow   regexes a child sitemap of a sitemap index must match to be fetched (default: all)
  news_sitemap_days  Google-News sitemaps: keep entries published in the last N days up to the news day (2)
  lists            listing pages: {url, link_selector, link_pattern, item_selector, date_selector,
                   next_selector, max_pages}; paging stops at the first page holding an already-known article
  json_lists       POST/JSON list endpoints: {url, method, form, json, pages, link_pattern, hook}
  article_patterns regexes an article URL must match (one is enough)
  exclude_patterns regexes of URLs never fetched (search pages, tag archives...)
  download_delay   seconds between requests to this site (default 1.0)
  concurrency      concurrent requests per domain (1 or 2; default 1)
  revisit_days     re-fetch articles first stored in the last N days (sites that update stories; default 0)
  max_age_days     skip discovered links dated more than N days before the news day (default: no limit)
  hook             name of a pure discovery hook in crawlers.hooks

``auto`` and ``robots`` are the only words accepted in place of a URL (helpers: ``crawlers.autodiscovery``);
what they find is fetched only on the site's allowed hosts, like every other link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CRAWL_KEYS = {
    "feeds", "sitemaps", "lists", "json_lists", "article_patterns", "exclude_patterns", "download_delay",
    "concurrency", "revisit_days", "hook", "sitemap_follow", "news_sitemap_days", "max_age_days",
}
FEEDS_AUTO = "auto"
SITEMAPS_FROM_ROBOTS = "robots"
LIST_KEYS = {"url", "link_selector", "link_pattern", "item_selector", "date_selector", "next_selector", "max_pages"}
JSON_LIST_KEYS = {"url", "method", "form", "json", "pages", "link_pattern", "hook"}


@dataclass(frozen=True)
class ListRule:
    url: str
    link_selector: str | None = None
    link_pattern: re.Pattern | None = None
    item_selector: str | None = None
    date_selector: str | None = None
    next_selector: str | None = None
    max_pages: int = 5


@dataclass(frozen=True)
class JsonListRule:
    url: str
    method: str = "POST"
    form: dict = field(default_factory=dict)
    json: dict | None = None
    pages: int = 1
    link_pattern: re.Pattern | None = None
    hook: str | None = None


@dataclass(frozen=True)
class CrawlRules:
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    lists: tuple[ListRule, ...] = ()
    json_lists: tuple[JsonListRule, ...] = ()
    article_patterns: tuple[re.Pattern, ...] = ()
    exclude_patterns: tuple[re.Pattern, ...] = ()
    download_delay: float = 1.0
    concurrency: int = 1
    revisit_days: int = 0
    hook: str | None = None
    sitemap_follow: tuple[re.Pattern, ...] = ()
    news_sitemap_days: int = 2
    max_age_days: int | None = None
    feeds_auto: bool = False  # `feeds: [auto]`
    sitemaps_from_robots: bool = False  # `sitemaps: [robots]`


def parse_crawl_rules(section: dict[str, Any]) -> CrawlRules:
    """Validate a ``crawl:`` mapping; raises ValueError naming the key (``crawl.lists[0].link_pattern: ...``)."""
    _reject_unknown(section, CRAWL_KEYS, "crawl")
    delay = section.get("download_delay", 1.0)
    if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
        raise ValueError("crawl.download_delay: expected a number of seconds >= 0")
    concurrency = section.get("concurrency", 1)
    if concurrency not in (1, 2):
        raise ValueError("crawl.concurrency: 1 or 2 concurrent requests per domain")
    revisit = section.get("revisit_days", 0)
    if not isinstance(revisit, int) or isinstance(revisit, bool) or revisit < 0:
        raise ValueError("crawl.revisit_days: expected a whole number of days >= 0")
    news_days = _whole(section, "news_sitemap_days", 2, minimum=1)
    max_age = section.get("max_age_days")
    if max_age is not None:
        max_age = _whole(section, "max_age_days", None, minimum=1)
    feeds, feeds_auto = _urls_or_word(section, "feeds", FEEDS_AUTO)
    sitemaps, from_robots = _urls_or_word(section, "sitemaps", SITEMAPS_FROM_ROBOTS)
    return CrawlRules(
        feeds=tuple(feeds),
        sitemaps=tuple(sitemaps),
        lists=tuple(_list_rule(item, f"crawl.lists[{i}]") for i, item in enumerate(section.get("lists", []))),
        json_lists=tuple(
            _json_list_rule(item, f"crawl.json_lists[{i}]") for i, item in enumerate(section.get("json_lists", []))
        ),
        article_patterns=tuple(_patterns(section, "article_patterns", "crawl")),
        exclude_patterns=tuple(_patterns(section, "exclude_patterns", "crawl")),
        download_delay=float(delay),
        concurrency=concurrency,
        revisit_days=revisit,
        hook=_hook_name(section, "crawl"),
        sitemap_follow=tuple(_patterns(section, "sitemap_follow", "crawl")),
        news_sitemap_days=news_days,
        max_age_days=max_age,
        feeds_auto=feeds_auto,
        sitemaps_from_robots=from_robots,
    )


def _whole(section: dict, key: str, default, minimum: int) -> int:
    value = section.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"crawl.{key}: expected a whole number >= {minimum}")
    return value


def _list_rule(item: Any, where: str) -> ListRule:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: expected a mapping with at least 'url'")
    _reject_unknown(item, LIST_KEYS, where)
    pattern = _optional_str(item, "link_pattern", where)
    max_pages = item.get("max_pages", 5)
    if not isinstance(max_pages, int) or max_pages < 1:
        raise ValueError(f"{where}.max_pages: expected a whole number >= 1")
    return ListRule(
        url=_required_url(item, where),
        link_selector=_optional_str(item, "link_selector", where),
        link_pattern=_compile(pattern, f"{where}.link_pattern") if pattern else None,
        item_selector=_optional_str(item, "item_selector", where),
        date_selector=_optional_str(item, "date_selector", where),
        next_selector=_optional_str(item, "next_selector", where),
        max_pages=max_pages,
    )


def _json_list_rule(item: Any, where: str) -> JsonListRule:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: expected a mapping with at least 'url'")
    _reject_unknown(item, JSON_LIST_KEYS, where)
    method = item.get("method", "POST")
    if method not in ("GET", "POST"):
        raise ValueError(f"{where}.method: GET or POST")
    pattern = _optional_str(item, "link_pattern", where)
    return JsonListRule(
        url=_required_url(item, where),
        method=method,
        form=dict(item.get("form") or {}),
        json=item.get("json"),
        pages=int(item.get("pages", 1)),
        link_pattern=_compile(pattern, f"{where}.link_pattern") if pattern else None,
        hook=_hook_name(item, where),
    )


def _hook_name(mapping: dict, where: str) -> str | None:
    from crawlers.hooks import HOOKS

    name = _optional_str(mapping, "hook", where)
    if name is not None and name not in HOOKS:
        raise ValueError(f"{where}.hook: unknown hook {name!r} (known: {', '.join(sorted(HOOKS))})")
    return name


def _reject_unknown(mapping: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ValueError(f"{where}.{unknown[0]}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _required_url(item: dict, where: str) -> str:
    url = item.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError(f"{where}.url: expected an http(s) URL")
    return url


def _urls_or_word(section: dict, key: str, word: str) -> tuple[list[str], bool]:
    """The URLs of a list that may also hold ``word`` (``auto``, ``robots``), and whether it does."""
    values = section.get(key, [])
    if not isinstance(values, list):
        raise ValueError(f"crawl.{key}: expected a list of URLs (or the word {word!r})")
    urls, has_word = [], False
    for i, url in enumerate(values):
        if url == word:
            has_word = True
        elif not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"crawl.{key}[{i}]: expected an http(s) URL or the word {word!r}, got {url!r}")
        else:
            urls.append(url)
    return urls, has_word


def _patterns(section: dict, key: str, where: str) -> list[re.Pattern]:
    values = section.get(key, [])
    if not isinstance(values, list):
        raise ValueError(f"{where}.{key}: expected a list of regexes")
    return [_compile(value, f"{where}.{key}[{i}]") for i, value in enumerate(values)]


def _compile(pattern: Any, where: str) -> re.Pattern:
    if not isinstance(pattern, str):
        raise ValueError(f"{where}: expected a regex string")
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ValueError(f"{where}: bad regex {pattern!r} ({error})") from None


def _optional_str(mapping: dict, key: str, where: str) -> str | None:
    value = mapping.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}.{key}: expected a string")
    return value
