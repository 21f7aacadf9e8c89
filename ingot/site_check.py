"""``ingot sites check KEY``: every source of a site's rule fetched once, the newest articles extracted, one
verdict per source. Run after editing a rule, and when a site's daily yield drops: a ``changed`` line names
the selector or pattern that no longer matches.
"""

from __future__ import annotations

from datetime import date

from crawlers.autodiscovery import robots_url
from crawlers.hooks import get_hook
from ingot.polite_fetch import PoliteFetcher
from ingot.site_probe import (MIN_BODY_CHARS, LinkFilter, SourceReport, newest, report_article, report_feed,
                              report_home_feeds, report_json_list, report_list, report_robots, report_sitemap)

ARTICLES_CHECKED = 2


def check_site(site, fetcher: PoliteFetcher, *, day: date, min_body: int = MIN_BODY_CHARS,
               articles: int = ARTICLES_CHECKED) -> list[SourceReport]:
    """One report per source of ``site`` (robots.txt, feeds, sitemaps, lists, JSON lists), then one per article
    checked: the ``articles`` newest links the sources gave that robots.txt lets us fetch."""
    rules, keep, tz = site.crawl, LinkFilter.of_site(site), site.timezone
    robots = report_robots(fetcher, site.base_url)
    reports = [robots]
    feeds = list(rules.feeds)
    if rules.feeds_auto:
        home = report_home_feeds(fetcher, site.base_url, keep)
        reports.append(home)
        feeds += [url for url in home.found if url not in feeds]
    reports += [report_feed(fetcher, url, tz, keep) for url in feeds]
    sitemaps = list(rules.sitemaps)
    if rules.sitemaps_from_robots:
        named = [url for url in robots.found if keep.on_site(url)]
        if not named and not robots.failing:
            reports.append(SourceReport("sitemap", robots_url(site.base_url), "empty",
                                        f"robots.txt names no sitemap on the site's hosts ({len(robots.found)} "
                                        "elsewhere)" if robots.found else "robots.txt names no sitemap"))
        sitemaps += [url for url in named if url not in sitemaps]
    for url in sitemaps:
        reports += report_sitemap(fetcher, url, tz, keep, rules.sitemap_follow)
    reports += [report_list(fetcher, rule, tz, keep, day) for rule in rules.lists]
    reports += [report_json_list(fetcher, rule, get_hook(rule.hook), tz, keep, day) for rule in rules.json_lists]

    found = [link for report in reports for link in report.links]
    fetchable = [link for link in newest(found, len(found)) if fetcher.allows(link.url) is None]
    hook = get_hook(rules.hook) if rules.hook else None
    for link in fetchable[:articles]:
        reports.append(report_article(fetcher, link, rules=site.extract, timezone=tz, hook=hook, min_body=min_body))
    if found and not fetchable:
        reports.append(SourceReport("article", site.base_url, "blocked",
                                    f"robots.txt disallows all {len(found)} article link(s) found"))
    return reports
