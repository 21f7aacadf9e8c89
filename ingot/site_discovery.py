"""``ingot sites discover URL``: find how a site never seen publishes, and write a draft rule for it.

Probes robots.txt (its Sitemap lines), the page's feeds (or the usual feed paths), the sitemaps it can find (or
``/sitemap.xml``), samples the newest article links, proposes ``article_patterns`` from them
(``ingot.url_patterns``), extracts the three newest articles in the extractor's generic mode and drafts
``sites/<key>.yaml``. The draft is a valid rule, written ``enabled: false``: the daily run ignores it until an
operator has read it (and the report), run ``ingot sites check``, and enabled it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from parsel import Selector

from crawlers.pages import list_links
from crawlers.urls import canonical_url
from extract.zones import default_timezone
from ingot.polite_fetch import PoliteFetcher
from ingot.site_probe import (LinkFilter, SourceReport, newest, report_article, report_feed,
                              report_home_feeds, report_robots, report_sitemap, page_text)
from ingot.sites import parse_site
from ingot.url_patterns import article_patterns

SAMPLE_LINKS = 30
ARTICLES_EXTRACTED = 3
SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml")
_KEY_DROPPED_LABELS = {"www", "m", "com", "net", "org", "co", "gov", "edu", "ac", "or"}


@dataclass
class Discovery:
    url: str
    key: str
    reports: list[SourceReport] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    sampled: int = 0  # newest links the patterns were proposed from
    covered: int = 0  # of those, how many the proposed patterns match
    document: dict | None = None  # the draft rule; None when nothing article-like was found

    @property
    def articles(self) -> list[SourceReport]:
        return [report for report in self.reports if report.kind == "article"]


def site_key_for(host: str) -> str:
    """A rule key from a host name: ``news.example-metals.test`` → ``news_example_metals``, ``www.cmra.cn`` →
    ``cmra`` (the top-level domain, ``www.`` and second-level labels such as ``com.`` dropped)."""
    labels = host.lower().rstrip(".").split(".")
    kept = [label for label in labels[:-1] if label not in _KEY_DROPPED_LABELS] or labels[:1]
    return re.sub(r"[^a-z0-9]+", "_", "_".join(kept)).strip("_") or "site"


def discover_site(url: str, fetcher: PoliteFetcher, *, key: str, day: date) -> Discovery:
    parts = urlsplit(url)
    host, base_url = parts.hostname.lower(), f"{parts.scheme}://{parts.netloc}/"
    keep = LinkFilter((host,))
    found = Discovery(url, key)
    robots = report_robots(fetcher, url)
    page = fetcher.fetch(url)
    html = page_text(page) if page.ok else ""
    declared = Selector(text=html).xpath("/html/@lang").get() if html else None
    timezone = default_timezone(url, declared, None)
    home = report_home_feeds(fetcher, url, keep, fetched=page)
    feed_reports = [report_feed(fetcher, feed, timezone, keep) for feed in home.found]
    robots_named = [sitemap for sitemap in robots.found if keep.on_site(sitemap)]
    sitemaps, sitemap_reports = _probe_sitemaps(fetcher, robots_named, base_url, timezone, keep)
    found.reports += [robots, home, *feed_reports, *sitemap_reports]

    samples = newest([link for report in feed_reports + sitemap_reports for link in report.links], SAMPLE_LINKS)
    listing = None
    if not samples and html:  # no feed, no sitemap: the page itself is the list
        listing = url
        samples = [link for link in list_links(html, page.final_url) if _below(link.url, host, base_url, url)]
        found.reports.append(SourceReport("list", url, "ok" if samples else "empty",
                                          f"{len(samples)} links below the home page on {host}", tuple(samples)))
    found.patterns = article_patterns([link.url for link in samples])
    if not found.patterns:
        return found
    articles = LinkFilter((host,), tuple(re.compile(pattern) for pattern in found.patterns))
    covered = [link for link in samples if articles.is_article(link.url)]
    found.sampled, found.covered = len(samples), len(covered)
    chosen = [link for link in covered if fetcher.allows(link.url) is None]
    for link in newest(chosen, ARTICLES_EXTRACTED):
        found.reports.append(report_article(fetcher, link))
    found.document = draft_rule(found, html, host, base_url, day, timezone,
                                feeds=[report.url for report in feed_reports if not report.failing],
                                robots_sitemaps=bool(robots_named and sitemaps), sitemaps=sitemaps, listing=listing)
    return found


def _probe_sitemaps(fetcher, robots_named: list[str], base_url: str, timezone: str, keep: LinkFilter):
    """The sitemaps robots.txt names, or else those answering at the usual addresses: (the sitemap URLs that
    answered, every report)."""
    candidates = robots_named or [f"{base_url.rstrip('/')}{path}" for path in SITEMAP_PATHS]
    answered, reports = [], []
    for sitemap in candidates:
        probed = report_sitemap(fetcher, sitemap, timezone, keep)
        if robots_named or not probed[0].failing:  # a guessed address that is not there says nothing
            reports += probed
        if not probed[0].failing:
            answered.append(sitemap)
    if not reports:
        reports.append(SourceReport("sitemap", base_url, "empty",
                                    "robots.txt names none, and nothing answers at " + ", ".join(SITEMAP_PATHS)))
    return answered, reports


def draft_rule(found: Discovery, html: str, host: str, base_url: str, day: date, timezone: str, *, feeds: list[str],
               robots_sitemaps: bool, sitemaps: list[str], listing: str | None) -> dict:
    """The draft rule document (a valid site rule, disabled), from what the probes found."""
    extracted = [report.article for report in found.articles if report.article]
    languages = sorted({article.language for article in extracted if article.language})
    title = " ".join((Selector(text=html).css("title::text").get() or "").split()) if html else ""
    crawl: dict = {}
    if feeds:
        crawl["feeds"] = feeds
    if robots_sitemaps:  # robots.txt names them: new dated sitemaps are found without editing the rule
        crawl["sitemaps"] = ["robots"]
    elif sitemaps:
        crawl["sitemaps"] = sitemaps
    if listing:
        crawl["lists"] = [{"url": listing, "max_pages": 1}]
    crawl["article_patterns"] = found.patterns
    crawl["download_delay"] = 2.0
    sources = ", ".join(f"{report.kind} {report.verdict}" for report in found.reports if report.kind != "article")
    extracted_ok = sum(1 for report in found.articles if not report.failing)
    document = {
        "key": found.key,
        "name": title[:80] or host,
        "base_url": base_url,
        "languages": languages,
        "timezone": timezone if timezone != "UTC" or not languages else default_timezone(base_url, languages[0], None),
        "enabled": False,
        "rule_version": 1,
        "allowed_hosts": [host],
        "checked": (f"draft by `ingot sites discover {found.url}` on {day.isoformat()}: {sources}; "
                    f"{extracted_ok} of {len(found.articles)} articles extracted in generic mode. "
                    "Not yet reviewed by a person."),
        "crawl": crawl,
        "extract": {},
        "notes": "Draft: review the article patterns and the time zone, add extract selectors if the generic "
                 "extraction keeps boilerplate, run `ingot sites check`, then set enabled: true.",
    }
    parse_site(document, Path(f"{found.key}.yaml"))  # a draft that would not load is a bug here, not a draft
    return document


def save_draft(document: dict, directory: Path, *, overwrite: bool = False) -> Path:
    path = directory / f"{document['key']}.yaml"
    if path.exists() and not overwrite:
        raise FileExistsError(path)
    directory.mkdir(parents=True, exist_ok=True)
    header = (f"# Draft rule for {document['base_url']}, written by `ingot sites discover`. Disabled until reviewed:\n"
              "# check the article patterns and the time zone, run `ingot sites check "
              f"{document['key']}`, then set enabled: true.\n")
    path.write_text(header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=110,
                                                   default_flow_style=None),
                    encoding="utf-8")
    return path


def _below(url: str, host: str, base_url: str, page_url: str) -> bool:
    """A link of the page that could be an article: on the host, not the home page nor the page itself."""
    parts = urlsplit(url)
    return ((parts.hostname or "").lower() == host and canonical_url(url) not in
            {canonical_url(base_url), canonical_url(page_url)} and parts.path.strip("/") != "")

