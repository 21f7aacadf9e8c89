"""Fetch one discovery source or article and say what it gave: the shared middle of ``ingot sites check`` and
``ingot sites discover``.

Each ``report_*`` function fetches through a ``PoliteFetcher`` and reads the answer with the crawler's own pure
helpers (``crawlers.discovery``, ``crawlers.autodiscovery``, ``crawlers.hooks``) and the extractor
(``extract.extract_article``), so a verdict here is what the crawl and the extraction would see. A verdict is one
of ``VERDICTS``; every one but ``ok`` is a failing source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from parsel import Selector

from crawlers.autodiscovery import candidate_feed_urls, looks_like_feed, page_feed_urls, robots_sitemaps
from crawlers.discovery import Link, parse_feed, parse_sitemap
from crawlers.pages import list_links
from crawlers.urls import canonical_url, is_allowed_url, matches_any
from extract import Article, Rejected, extract_article
from extract.article import html_of_json_reply
from extract.decode import UndecodableError, decode_page
from ingot.polite_fetch import Fetched, PoliteFetcher

VERDICTS = ("ok", "empty", "blocked", "changed", "failed")
MIN_BODY_CHARS = 80  # shorter is a body selector that lost the text, or a teaser
MAX_SITEMAP_CHILDREN = 3  # of a sitemap index, the newest few are read: enough to judge, polite to the site
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


@dataclass(frozen=True)
class LinkFilter:
    """Which links the crawl would fetch as articles: the rule's hosts, exclusions and article patterns."""

    allowed_hosts: tuple[str, ...]
    article_patterns: tuple[re.Pattern, ...] = ()
    exclude_patterns: tuple[re.Pattern, ...] = ()

    @classmethod
    def of_site(cls, site) -> LinkFilter:
        return cls(site.allowed_hosts, site.crawl.article_patterns, site.crawl.exclude_patterns)

    def on_site(self, url: str) -> bool:
        return is_allowed_url(url, self.allowed_hosts)

    def is_article(self, url: str) -> bool:
        if not self.on_site(url) or matches_any(url, self.exclude_patterns):
            return False
        return not self.article_patterns or matches_any(url, self.article_patterns)


@dataclass(frozen=True)
class SourceReport:
    kind: str  # robots, home, feed, sitemap, list, json_list, article
    url: str
    verdict: str
    detail: str
    links: tuple[Link, ...] = ()  # the article links the source gave
    found: tuple[str, ...] = ()  # URLs the source names: sitemaps of a robots.txt, feeds of a home page
    article: Article | None = None

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")

    @property
    def failing(self) -> bool:
        return self.verdict != "ok"

    def line(self) -> str:
        return f"{self.verdict:<8} {self.kind:<9} {self.url}  {self.detail}"


def fetch_failed(kind: str, url: str, fetched: Fetched) -> SourceReport:
    return SourceReport(kind, url, "blocked" if fetched.blocked else "failed", fetched.failure())


def report_robots(fetcher: PoliteFetcher, url: str) -> SourceReport:
    """robots.txt of ``url``'s host: its Sitemap lines (in ``found``), and whether ``url`` itself may be fetched."""
    answer = fetcher.robots(url)
    if answer.problem:
        return SourceReport("robots", answer.url, "failed", f"unreachable ({answer.problem}): nothing may be fetched")
    if answer.status != 200:
        return SourceReport("robots", answer.url, "ok", f"HTTP {answer.status}: no rules")
    sitemaps = robots_sitemaps(answer.body, answer.url)
    named = f"{len(sitemaps)} Sitemap line(s)"
    refusal = fetcher.allows(url)
    if refusal:
        return SourceReport("robots", answer.url, "blocked", f"{refusal}: {url}; {named}", found=tuple(sitemaps))
    return SourceReport("robots", answer.url, "ok", f"HTTP 200, {named}", found=tuple(sitemaps))


def report_home_feeds(fetcher: PoliteFetcher, url: str, keep: LinkFilter,
                      fetched: Fetched | None = None) -> SourceReport:
    """The feeds a page names (``<link rel="alternate">``), else those answering at the usual paths of its host.
    ``fetched``: the page, when the caller has it already."""
    fetched = fetched or fetcher.fetch(url)
    if not fetched.ok:
        return fetch_failed("home", url, fetched)
    named = page_feed_urls(page_text(fetched), fetched.final_url)
    own = [feed for feed in named if keep.on_site(feed)]
    if own:
        return SourceReport("home", url, "ok", f"names {len(own)} feed(s)", found=tuple(own))
    answering = []
    for candidate in candidate_feed_urls(fetched.final_url if keep.on_site(fetched.final_url) else url):
        guess = fetcher.fetch(candidate)
        if guess.ok and looks_like_feed(guess.body):
            answering.append(candidate)
    elsewhere = f" ({len(named)} on other hosts, not fetched)" if named else ""
    if answering:
        return SourceReport("home", url, "ok", f"names no feed{elsewhere}; feeds at the usual paths: "
                            + ", ".join(answering), found=tuple(answering))
    return SourceReport("home", url, "empty", f"names no feed{elsewhere}, and none answers at "
                        + ", ".join(path for path in _paths(candidate_feed_urls(url))))


def report_feed(fetcher: PoliteFetcher, url: str, timezone: str, keep: LinkFilter) -> SourceReport:
    fetched = fetcher.fetch(url)
    if not fetched.ok:
        return fetch_failed("feed", url, fetched)
    if not looks_like_feed(fetched.body):
        return SourceReport("feed", url, "changed", f"not a feed ({fetched.content_type or 'no content type'})")
    links, problem = parse_feed(fetched.body, fetched.final_url, timezone)
    return _links_report("feed", url, links, keep, problem, "entries")


def report_sitemap(fetcher: PoliteFetcher, url: str, timezone: str, keep: LinkFilter, follow=(),
                   depth: int = 0) -> list[SourceReport]:
    """A sitemap, or a sitemap index and its newest few children (those ``follow`` accepts)."""
    fetched = fetcher.fetch(url)
    if not fetched.ok:
        return [fetch_failed("sitemap", url, fetched)]
    sitemap = parse_sitemap(fetched.body, timezone)
    if not sitemap.is_index:
        return [_links_report("sitemap", url, list(sitemap.links), keep, sitemap.problem, "locations")]
    children = [link for link in sitemap.links
                if keep.on_site(link.url) and (not follow or matches_any(link.url, follow))]
    chosen = newest(children, MAX_SITEMAP_CHILDREN) if depth < 2 else []
    verdict = "ok" if children else "empty"
    detail = (f"index of {len(sitemap.links)} sitemap(s), {len(children)} on the site and followed by the rule; "
              f"reading the newest {len(chosen)}")
    if sitemap.problem:
        verdict, detail = "failed", f"{sitemap.problem}; {detail}"
    reports = [SourceReport("sitemap", url, verdict, detail)]
    for child in chosen:
        reports += report_sitemap(fetcher, child.url, timezone, keep, follow, depth + 1)
    return reports


def report_list(fetcher: PoliteFetcher, rule, timezone: str, keep: LinkFilter, day: date) -> SourceReport:
    """A listing page read with its rule's selectors; a selector that matches nothing is a changed layout."""
    fetched = fetcher.fetch(rule.url)
    if not fetched.ok:
        return fetch_failed("list", rule.url, fetched)
    html = page_text(fetched)
    page = Selector(text=html or "<html/>")
    for name in ("item_selector", "link_selector"):
        selector = getattr(rule, name)
        if selector and not page.css(selector):
            return SourceReport("list", rule.url, "changed", f"{name} {selector!r} matches nothing")
        if name == "item_selector" and selector:
            break  # the link selector is then read inside each item
    links = list_links(html, fetched.final_url, link_selector=rule.link_selector, item_selector=rule.item_selector,
                       date_selector=rule.date_selector, day=day, timezone=timezone)
    if rule.link_pattern:
        links = [link for link in links if rule.link_pattern.search(link.url)]
    report = _links_report("list", rule.url, links, keep, None, "links")
    if report.verdict == "ok" and rule.date_selector and not any(link.published for link in report.links):
        return SourceReport("list", rule.url, "changed", f"date_selector {rule.date_selector!r} gives no date "
                            f"beside {len(report.links)} article link(s)", report.links)
    return report


def report_json_list(fetcher: PoliteFetcher, rule, hook, timezone: str, keep: LinkFilter,
                     day: date) -> SourceReport:
    """A POST/JSON list endpoint, through the rule's hook (the requests and the reading the spider uses)."""
    links, where = [], rule.url
    for spec in hook.list_requests(rule.url, rule.form, rule.pages):
        fetched = fetcher.fetch(spec.url, method=spec.method, body=spec.body or None, headers=spec.headers)
        if not fetched.ok:
            return fetch_failed("json_list", where, fetched)
        try:
            links += hook.list_links(fetched.body, fetched.final_url, day, timezone)
        except (ValueError, KeyError, TypeError) as error:
            return SourceReport("json_list", where, "changed", f"reply not readable ({type(error).__name__}: "
                                f"{str(error)[:80]})")
    return _links_report("json_list", where, links, keep, None, "links")


def report_article(fetcher: PoliteFetcher, link: Link, *, rules=None, timezone: str | None = None, hook=None,
                   min_body: int = MIN_BODY_CHARS) -> SourceReport:
    """An article fetched (through the hook's request when the rule has one) and extracted as the pipeline
    would; ``rules`` None is the extractor's generic mode."""
    spec = hook.article_request(link.url) if hook and hook.article_request else None
    if spec:
        fetched = fetcher.fetch(spec.url, method=spec.method, body=spec.body or None, headers=spec.headers)
    else:
        fetched = fetcher.fetch(link.url)
    if not fetched.ok:
        return fetch_failed("article", link.url, fetched)
    page_url = spec.page_url if spec and spec.page_url else fetched.final_url
    problems = [f"{name} {selector!r} matches nothing" for name, selector in _missing_selectors(fetched, rules)]
    result = extract_article(fetched.body, page_url, rules=rules, http_charset=_charset(fetched),
                             fetched_at=datetime.now(UTC), timezone=timezone)
    if isinstance(result, Rejected):
        return SourceReport("article", link.url, "changed",
                            "; ".join(problems + [f"rejected by the extractor: {result.reason} ({result.detail})"]))
    if result.published_at:
        when, where = result.published_at, f"page: {result.published_rule}"
    else:
        when, where = link.published, "beside its link"
    if not result.title:
        problems.append("title missing")
    if when is None:
        problems.append("date missing (not on the page nor beside its link)")
    if len(result.text) < min_body and not result.paywalled:  # a paywall's teaser is short by design
        problems.append(f"body under {min_body} characters ({len(result.text)})")
    if problems:
        return SourceReport("article", link.url, "changed", "; ".join(problems), article=result)
    title = result.title if len(result.title) <= 40 else result.title[:39] + "…"
    body = f"{'paywalled teaser' if result.paywalled else 'body'} {len(result.text)} characters"
    detail = f"title {title!r}, date {when.date().isoformat()} ({where}), {body}"
    return SourceReport("article", link.url, "ok", detail, article=result)


def newest(links, count: int) -> list[Link]:
    """The ``count`` newest links (undated ones after the dated, in source order), each page once."""
    unique = {}
    for link in links:
        unique.setdefault(canonical_url(link.url), link)
    ordered = sorted(unique.values(), key=lambda link: link.published is None)
    dated = sorted((link for link in ordered if link.published), key=lambda link: link.published, reverse=True)
    return (dated + [link for link in ordered if not link.published])[:count]


def _links_report(kind: str, url: str, links: list[Link], keep: LinkFilter, problem: str | None,
                  noun: str) -> SourceReport:
    articles = [link for link in links if keep.is_article(link.url)]
    dated = sum(1 for link in articles if link.published)
    kept = "article link(s)" if keep.article_patterns else "link(s) on the site"
    counts = f"{len(links)} {noun}, {len(articles)} {kept}, {dated} dated"
    if problem:
        return SourceReport(kind, url, "failed", f"{problem}; {counts}", tuple(articles))
    if not links:
        return SourceReport(kind, url, "empty", f"no {noun}")
    if not articles:
        return SourceReport(kind, url, "changed", f"{counts}: none on the site's hosts matches the article patterns")
    return SourceReport(kind, url, "ok", counts, tuple(articles))


def _missing_selectors(fetched: Fetched, rules):
    if rules is None:
        return []
    html = page_text(fetched)
    html = html_of_json_reply(html) or html
    page = Selector(text=html or "<html/>")
    return [(name, getattr(rules, name)) for name in ("title_selector", "body_selector", "date_selector")
            if getattr(rules, name) and not page.css(getattr(rules, name))]


def page_text(fetched: Fetched) -> str:
    try:
        return decode_page(fetched.body, _charset(fetched))[0]
    except UndecodableError:
        return ""


def _charset(fetched: Fetched) -> str | None:
    found = _CHARSET.search(fetched.content_type)
    return found.group(1) if found else None


def _paths(urls: list[str]) -> list[str]:
    return ["/" + url.split("/", 3)[3] if url.count("/") >= 3 else url for url in urls]
