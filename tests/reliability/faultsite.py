"""The fault fixtures: small generated sites whose pages misbehave in one way each, built in a temporary folder.

``write_fault_sites(root)`` writes ``root/web/<host>/...`` (served by ``ingot.fixture_web.FixtureWeb``) and
``root/sites/<key>.yaml``; the faults that are behaviours rather than bytes (status codes, resets, stalls,
redirects, huge pages, gzip bombs) are switched on at run time with ``FixtureWeb.inject`` from ``PAGE_FAULTS``.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

from ingot.paths import FIXTURE_WEB_DIR, SITES_DIR

HOST = "www.faultnews.com"
BASE = f"https://{HOST}"
MIRROR_HOST = "www.faultnews-mirror.net"

HEALTHY = ("healthy-1", "healthy-2", "healthy-3")
ZH_SENTENCE = "国内电解铝产量同比增长百分之三，运行产能维持在四千三百万吨附近，下游加工企业开工率回升。"

# page name → the fault switched on for it (behaviour faults, injected into the fixture web)
PAGE_FAULTS = {
    "http-500": {"kind": "status", "status": 500},
    "http-502": {"kind": "status", "status": 502},
    "http-503": {"kind": "status", "status": 503},
    "http-503-retry-after": {"kind": "status", "status": 503, "retry_after": 1},
    "http-503-once": {"kind": "status", "status": 503, "retry_after": 1, "times": 1},
    "http-429": {"kind": "status", "status": 429, "retry_after": 1},
    "http-403": {"kind": "status", "status": 403},
    "connection-reset": {"kind": "reset"},
    "stall": {"kind": "stall", "seconds": 8},
    "truncated-body": {"kind": "truncate", "bytes": 200},
    "redirect-loop": {"kind": "redirect", "location": "/news/redirect-loop.html"},
    "redirect-ping-pong": {"kind": "redirect", "location": "/news/redirect-pong.html"},
    "redirect-offsite": {"kind": "redirect", "location": f"https://{MIRROR_HOST}/news/copied.html"},
    "redirect-loopback": {"kind": "redirect", "location": "http://127.0.0.1/admin/"},
    "redirect-private": {"kind": "redirect", "location": "http://10.0.0.1/news/internal.html"},
    "redirect-file": {"kind": "redirect", "location": "file:///etc/passwd"},
    "huge-page": {"kind": "huge", "size": 30 * 1024 * 1024},
    "huge-streamed-page": {"kind": "huge", "size": 30 * 1024 * 1024, "announce": False},
    "gzip-bomb": {"kind": "gzip_bomb", "size": 64 * 1024 * 1024},
}
EXTRA_FAULTS = {"/news/redirect-pong.html": {"kind": "redirect", "location": "/news/redirect-ping-pong.html"}}

# Links a live page must never make the crawler fetch.
FORBIDDEN_LINKS = (
    "file:///etc/passwd", "ftp://www.faultnews.com/news/ftp.html", "javascript:alert(1)",
    "http://127.0.0.1/news/loopback.html", "http://localhost/news/localhost.html", "http://10.0.0.1/news/private.html",
    "http://192.168.1.1/news/router.html", "http://169.254.169.254/latest/meta-data/", "http://[::1]/news/v6.html",
    f"https://{MIRROR_HOST}/news/elsewhere.html",
)


def article_html(title: str, paragraphs: list[str], charset: str = "utf-8", extra_head: str = "") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="{charset}"><title>{title}</title>{extra_head}'
            f'</head><body><nav><a href="/">Home</a> <a href="/news/">News</a></nav>'
            f'<div class="story"><h1 class="headline">{title}</h1><span class="pubtime">2026-09-27 10:00</span>'
            f'<div class="body">\n{body}\n</div></div><footer>Fault News, all rights reserved</footer></body></html>')


def english_paragraphs(name: str) -> list[str]:
    return [f"Steel output at the {name} plant rose four percent in August as new furnaces came online.",
            "Analysts expect the carbon border adjustment mechanism to reshape trade flows for flat steel.",
            f"The {name} smelter plans to switch half of its power supply to hydropower under a new contract.",
            "Scrap prices edged higher this week as electric arc furnace mills rebuilt their inventories."]


def chinese_html(title: str, charset: str) -> str:
    paragraphs = [ZH_SENTENCE, "分析人士认为，绿色电力在电解铝生产中的占比提升将显著降低单位产品碳排放。",
                  "再生铝项目二期工程正式投产，年处理废铝能力达到三十万吨，企业表示加工费谈判结果好于市场预期。"]
    return article_html(title, paragraphs, charset=charset).replace('lang="en"', 'lang="zh-CN"')


def content_faults() -> dict[str, tuple[bytes, dict]]:
    """page name → (bytes served, sidecar) for faults that are in the bytes themselves."""
    nested = ("<div><span>" * 3000 + "".join(f"<p>{p}" for p in english_paragraphs("nested")))
    soft_404 = ("<html><head><title>Page not found</title></head><body><h1>Page not found</h1>"
                "<p>Sorry, the page you are looking for does not exist.</p><a href='/'>Home</a></body></html>")
    no_article = ("<html><head><title>Fault News</title></head><body><nav>"
                  + "".join(f'<a href="/section-{i}/">Section {i}</a> ' for i in range(30))
                  + "</nav><footer>Fault News</footer></body></html>")
    gbk = chinese_html("国内铝产量增长", "gbk").encode("gbk")
    broken_gbk = gbk.replace(ZH_SENTENCE[:4].encode("gbk"), ZH_SENTENCE[:4].encode("gbk") + b"\x81\xff\xfe\x80")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
    html = {"headers": {"Content-Type": "text/html"}}
    return {
        "charset-gbk-declared-utf8": (gbk, {"headers": {"Content-Type": "text/html; charset=utf-8"}}),
        "charset-utf8-declared-latin1": (chinese_html("国内铝产量增长", "iso-8859-1").encode("utf-8"),
                                         {"headers": {"Content-Type": "text/html; charset=iso-8859-1"}}),
        "invalid-gbk-bytes": (broken_gbk, {"headers": {"Content-Type": "text/html; charset=gbk"}}),
        "binary-as-html": (png, html),
        "empty-200": (b"", html),
        "no-article": (no_article.encode(), html),
        "deeply-nested": (nested.encode(), html),
        "soft-404": (soft_404.encode(), html),
    }


SITE_RULE = """key: {key}
name: {name}
base_url: https://{host}/
languages: [en]
timezone: Asia/Shanghai
enabled: true
rule_version: 1
allowed_hosts: [{host}]
crawl:
{crawl}
  download_delay: 0
  concurrency: 2
  revisit_days: {revisit}
extract:
  title_selector: h1.headline
  body_selector: div.body
  date_selector: span.pubtime
  date_formats: ['%Y-%m-%d %H:%M']
"""


def write_site(sites_dir: Path, key: str, host: str, crawl: str, revisit: int = 0) -> None:
    sites_dir.mkdir(parents=True, exist_ok=True)
    (sites_dir / f"{key}.yaml").write_text(SITE_RULE.format(key=key, name=f"Fault site {key}", host=host,
                                                            crawl=crawl, revisit=revisit), encoding="utf-8")


def put(web: Path, host: str, path: str, data: bytes, meta: dict | None = None) -> Path:
    target = web / host / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if meta:
        target.with_name(target.name + ".meta.json").write_text(json.dumps(meta))
    return target


def list_page(names: list[str], forbidden: tuple[str, ...] = ()) -> bytes:
    items = "".join(f'<li><a class="story" href="/news/{name}.html">{name}</a></li>' for name in names)
    items += "".join(f'<li><a class="story" href="{link}">elsewhere</a></li>' for link in forbidden)
    return f"<html><head><title>News</title></head><body><ul>{items}</ul></body></html>".encode()


def write_news_site(root: Path, *, all_pages: bool) -> None:
    """``faultnews``: a listing of healthy articles and, with ``all_pages``, every page fault beside them."""
    web, sites = root / "web", root / "sites"
    put(web, HOST, "/robots.txt", b"User-agent: *\nDisallow: /private/\n")
    for name in HEALTHY:
        put(web, HOST, f"/news/{name}.html", article_html(f"Healthy story {name}", english_paragraphs(name)).encode())
    names = list(HEALTHY)
    if all_pages:
        for name in PAGE_FAULTS:
            put(web, HOST, f"/news/{name}.html", article_html(f"Story {name}", english_paragraphs(name)).encode())
        for name, (data, meta) in content_faults().items():
            put(web, HOST, f"/news/{name}.html", data, meta)
        names += list(PAGE_FAULTS) + list(content_faults())
    put(web, HOST, "/news/index.html", list_page(names, FORBIDDEN_LINKS if all_pages else ()))
    write_site(sites, "faultnews", HOST, "  lists:\n    - url: https://www.faultnews.com/news/\n"
               "      link_selector: a.story\n      max_pages: 1\n"
               "  article_patterns: ['^https://www\\.faultnews\\.com/news/[\\w-]+\\.html$']", revisit=1)


def write_run_level_sites(root: Path, day: date) -> dict[str, str]:
    """Sites whose whole crawl meets one fault, and a healthy copy of cmra; returns key → host."""
    web, sites = root / "web", root / "sites"
    hosts = {"faultrobots": "www.faultrobots.com", "faultfeed": "www.faultfeed.com",
             "faultsitemap": "www.faultsitemap.com", "faultwall": "www.faultwall.com"}
    recent = datetime.combine(day, datetime.min.time()).replace(hour=9)
    for key, host in hosts.items():
        put(web, host, "/robots.txt", b"User-agent: *\nAllow: /\n")
        for index in (1, 2):
            put(web, host, f"/news/story-{index}.html",
                article_html(f"{key} story {index}", english_paragraphs(f"{key}-{index}")).encode())
    pattern = "  article_patterns: ['^https://www\\.{name}\\.com/news/[\\w-]+\\.html$']"
    # robots.txt stalls past the download timeout (switched on at run time); the articles are listed
    put(web, hosts["faultrobots"], "/news/index.html", list_page(["story-1", "story-2"]))
    write_site(sites, "faultrobots", hosts["faultrobots"], "  lists:\n    - url: https://www.faultrobots.com/news/\n"
               "      link_selector: a.story\n      max_pages: 1\n" + pattern.format(name="faultrobots"))
    # a feed whose XML breaks off after its first item
    items = "".join(f"<item><title>story {i}</title><link>https://www.faultfeed.com/news/story-{i}.html</link>"
                    f"<pubDate>{recent:%a, %d %b %Y %H:%M:%S} +0800</pubDate></item>" for i in (1, 2))
    feed = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Fault feed</title>{items}'
            '<item><title>broken &amp no end <link>https://www.faultfeed.com/news/story-3.html</li')
    put(web, hosts["faultfeed"], "/feed.xml", feed.encode(), {"headers": {"Content-Type": "application/rss+xml"}})
    write_site(sites, "faultfeed", hosts["faultfeed"], "  feeds: [https://www.faultfeed.com/feed.xml]\n"
               + pattern.format(name="faultfeed"))
    # a sitemap of 50,000 URLs, two of them from the news day, the rest years old and never fetched
    old = datetime(2020, 1, 1)
    rows = [f"<url><loc>https://www.faultsitemap.com/news/old-{i:05d}.html</loc>"
            f"<lastmod>{(old + timedelta(minutes=i)).isoformat()}+08:00</lastmod></url>" for i in range(49_998)]
    rows += [f"<url><loc>https://www.faultsitemap.com/news/story-{i}.html</loc><lastmod>{recent.isoformat()}+08:00"
             f"</lastmod></url>" for i in (1, 2)]
    sitemap = ('<?xml version="1.0" encoding="utf-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               + "\n".join(rows) + "</urlset>")
    put(web, hosts["faultsitemap"], "/sitemap.xml", sitemap.encode(), {"headers": {"Content-Type": "application/xml"}})
    write_site(sites, "faultsitemap", hosts["faultsitemap"],
               "  sitemaps: [https://www.faultsitemap.com/sitemap.xml]\n  max_age_days: 7\n"
               + pattern.format(name="faultsitemap"))
    # a bot wall: 403 for every path of the host (switched on at run time)
    put(web, hosts["faultwall"], "/news/index.html", list_page(["story-1", "story-2"]))
    write_site(sites, "faultwall", hosts["faultwall"], "  lists:\n    - url: https://www.faultwall.com/news/\n"
               "      link_selector: a.story\n      max_pages: 1\n" + pattern.format(name="faultwall"))
    shutil.copytree(FIXTURE_WEB_DIR / "www.cmra.cn", web / "www.cmra.cn")
    shutil.copy(SITES_DIR / "cmra.yaml", sites / "cmra.yaml")
    return hosts


def write_plain_site(root: Path, key: str, host: str, count: int) -> list[str]:
    """A healthy site of ``count`` articles on one listing page; returns the article URLs."""
    web, sites = root / "web", root / "sites"
    put(web, host, "/robots.txt", b"User-agent: *\nAllow: /\n")
    names = [f"story-{index:03d}" for index in range(count)]
    for name in names:
        put(web, host, f"/news/{name}.html", article_html(f"{key} {name}", english_paragraphs(f"{key} {name}")).encode())
    put(web, host, "/news/index.html", list_page(names))
    escaped = host.replace(".", "\\.")
    write_site(sites, key, host, f"  lists:\n    - url: https://{host}/news/\n      link_selector: a.story\n"
               f"      max_pages: 1\n  article_patterns: ['^https://{escaped}/news/[\\w-]+\\.html$']")
    return [f"https://{host}/news/{name}.html" for name in names]
