"""Discovery end to end through the real spider on generated sites: a listing page with ``<base href>`` on an
international domain name, and a feed and a Google-News sitemap whose stale entries are written in forms only
feedparser's date handlers (Korean, Greek, Hungarian, RFC 822 without a time, W3C month) or a zone name read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawlers.urls import canonical_url
from ingot.fixture_web import FixtureWeb
from tests.crawl.helpers import crawl, stored_pages

DAY = date(2026, 9, 28)
IDN_HOST = "www.例子.cn"
IDN_WIRE = "www.xn--fsqu00a.cn"  # the spelling Scrapy sends in the Host header
FEED_HOST = "news.dates.example"

SITE_RULE = """key: {key}
name: {key}
base_url: https://{host}/
timezone: {timezone}
rule_version: 1
allowed_hosts: [{host}]
crawl:
{crawl}
  download_delay: 0
"""


def article(title: str) -> bytes:
    return (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
            f"<p>{title}: output and prices moved this week.</p></body></html>").encode()


def put(root: Path, host: str, path: str, body: bytes) -> None:
    target = root / "web" / host / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def write_rule(root: Path, key: str, host: str, timezone: str, crawl_section: str) -> Path:
    sites = root / "sites"
    sites.mkdir(exist_ok=True)
    (sites / f"{key}.yaml").write_text(SITE_RULE.format(key=key, host=host, timezone=timezone,
                                                        crawl=crawl_section), encoding="utf-8")
    return sites


# -- a listing page with <base href>, on an international domain name ---------------------------------------

LIST_PAGE = """<html><head><meta charset="utf-8"><title>新闻</title><base href="https://www.例子.cn/news/"></head>
<body><ul>
  <li><a href="2026/steel-output-rises.html">钢铁产量上升</a></li>
  <li><a href="aluminium-stocks.html">铝库存</a></li>
  <li><a href="https://www.xn--fsqu00a.cn/news/copper-premiums.html">铜溢价</a></li>
  <li><a href="//www.例子.cn/news/nickel-supply.html">镍供应</a></li>
  <li><a href="/portal/about.html">关于我们</a></li>
</ul><a class="next" href="list-2.html">下一页</a></body></html>"""
SECOND_PAGE = """<html><head><meta charset="utf-8"><title>新闻 2</title></head>
<body><ul><li><a href="zinc-output.html">锌产量</a></li></ul></body></html>"""
LISTED = ("2026/steel-output-rises.html", "aluminium-stocks.html", "copper-premiums.html", "nickel-supply.html",
          "zinc-output.html")


@pytest.fixture
def idn_site(tmp_path):
    put(tmp_path, IDN_WIRE, "/robots.txt", b"User-agent: *\nAllow: /\n")
    put(tmp_path, IDN_WIRE, "/portal/list.html", LIST_PAGE.encode())
    put(tmp_path, IDN_WIRE, "/news/list-2.html", SECOND_PAGE.encode())
    put(tmp_path, IDN_WIRE, "/portal/about.html", article("关于我们"))
    for name in LISTED:
        put(tmp_path, IDN_WIRE, f"/news/{name}", article(name))
    sites = write_rule(tmp_path, "idnlist", IDN_HOST, "Asia/Shanghai", f"""  lists:
    - url: https://{IDN_HOST}/portal/list.html
      next_selector: a.next
      max_pages: 2
  article_patterns: ['/news/.+\\.html$']
  exclude_patterns: ['/list-\\d+\\.html$']""")
    with FixtureWeb(tmp_path / "web") as web:
        yield web, sites


def test_a_listing_page_with_a_base_href_on_an_international_host_finds_every_article(db_url, idn_site):
    web, sites = idn_site
    outcome = crawl(db_url, web, "idnlist", DAY, sites_dir=sites)
    assert outcome.status == "succeeded", outcome.error
    assert outcome.stats["errors"] == 0 and outcome.stats["refused_hosts"] == 0
    expected = {f"https://{IDN_WIRE}/news/{name}" for name in LISTED}
    assert {page["canonical_url"] for page in stored_pages(db_url, "idnlist").values()} == expected
    assert {canonical_url(url) for url in stored_pages(db_url, "idnlist")} == expected
    assert sorted(r.path for r in web.requested(IDN_WIRE)) == sorted(
        ["/robots.txt", "/portal/list.html", "/news/list-2.html", *(f"/news/{name}" for name in LISTED)])


# -- a feed and a news sitemap with max_age_days, dates in feedparser-only forms -------------------------------

FRESH = {  # window: 3 days up to 2026-09-28 in Asia/Seoul
    "fresh-korean": "2026년 09월 28일 09:15:00",
    "fresh-greek": "Δευ, 28 Σεπ 2026 08:00:00 EEST",
    "fresh-mest": "Mon, 28 Sep 2026 00:30:00 MEST",
    "fresh-month": "2026-09",  # some day of September: inside the window
}
STALE = {
    "stale-nate": "2026-09-01 오후 03:00:00",
    "stale-korean": "2026년 08월 30일 10:00:00",
    "stale-greek": "Τρι, 01 Σεπ 2026 12:00:00 EEST",
    "stale-hungarian": "2026-szeptember-01T9:15+03:00",
    "stale-no-time": "Thu, 24 Sep 2026",
    "stale-month": "2026-08",
    "stale-aest": "Sat, 26 Sep 2026 00:30:00 AEST",  # 25 Sep 23:30 in Seoul; read as UTC it would be the 26th
}
UNREADABLE = {"undated-feed": "sometime last week"}
NEWS_SITEMAP = {
    "news-fresh": "2026-09-28T08:00:00+09:00",
    "news-stale-month": "2026-08",
    "news-undated": "late September",
}


def rss(entries: dict[str, str]) -> bytes:
    items = "".join(f"<item><title>{slug}</title><link>https://{FEED_HOST}/a/{slug}.html</link>"
                    f"<pubDate>{raw}</pubDate></item>\n" for slug, raw in entries.items())
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>dates</title>'
            f"<link>https://{FEED_HOST}/</link>\n{items}</channel></rss>").encode()


def news_sitemap(entries: dict[str, str]) -> bytes:
    urls = "".join(f"<url><loc>https://{FEED_HOST}/a/{slug}.html</loc><news:news><news:publication>"
                   f"<news:name>dates</news:name><news:language>ko</news:language></news:publication>"
                   f"<news:publication_date>{raw}</news:publication_date><news:title>{slug}</news:title>"
                   f"</news:news></url>\n" for slug, raw in entries.items())
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + urls + "</urlset>").encode()


@pytest.fixture
def dated_site(tmp_path):
    put(tmp_path, FEED_HOST, "/robots.txt", b"User-agent: *\nAllow: /\n")
    put(tmp_path, FEED_HOST, "/feed.xml", rss({**FRESH, **STALE, **UNREADABLE}))
    put(tmp_path, FEED_HOST, "/news-sitemap.xml", news_sitemap(NEWS_SITEMAP))
    for slug in (*FRESH, *STALE, *UNREADABLE, *NEWS_SITEMAP):
        put(tmp_path, FEED_HOST, f"/a/{slug}.html", article(slug))
    sites = write_rule(tmp_path, "datedfeed", FEED_HOST, "Asia/Seoul", f"""  feeds: [https://{FEED_HOST}/feed.xml]
  sitemaps: [https://{FEED_HOST}/news-sitemap.xml]
  news_sitemap_days: 2
  max_age_days: 3""")
    with FixtureWeb(tmp_path / "web") as web:
        yield web, sites


def test_stale_entries_dated_in_feedparser_only_forms_are_not_fetched(db_url, dated_site):
    web, sites = dated_site
    outcome = crawl(db_url, web, "datedfeed", DAY, sites_dir=sites)
    assert outcome.status == "succeeded", outcome.error
    fetched = {r.path for r in web.requested(FEED_HOST) if r.path.startswith("/a/")}
    assert fetched == {f"/a/{slug}.html" for slug in (*FRESH, *UNREADABLE, "news-fresh", "news-undated")}
    assert set(stored_pages(db_url, "datedfeed")) == {f"https://{FEED_HOST}{path}" for path in fetched}
    # the news window dropped one sitemap entry, max_age_days the stale feed entries
    assert outcome.stats["links_too_old"] == len(STALE)
    # kept, never lost for a parsing gap, but reported in the run's stats
    assert outcome.stats["links_date_unreadable"] == 2
    assert outcome.stats["links_date_unreadable_sample"] in ("sometime last week", "late September")
