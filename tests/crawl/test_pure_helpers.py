"""The pure discovery helpers: URL canonical form, dates, feeds, sitemaps, listing links, hooks, crawl rules."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timedelta, timezone
from urllib.parse import unquote

import pytest

from crawlers.dates import is_within_days, parse_feed_date, parse_list_date
from crawlers.discovery import feed_links, parse_sitemap
from crawlers.hooks import cisa_article_request, cisa_form_body, cisa_list_links, get_hook
from crawlers.pages import declared_charset, list_links, next_page_url, rel_canonical
from crawlers.rules import parse_crawl_rules
from crawlers.urls import canonical_url, choose_canonical, is_allowed_url, is_public_web_url

CST = timezone(timedelta(hours=8))


@pytest.mark.parametrize(("url", "canonical"), [
    ("HTTPS://WWW.CNMN.COM.CN:443/ShowNews1.aspx?id=474272#top", "https://www.cnmn.com.cn/ShowNews1.aspx?id=474272"),
    ("https://eurometal.net/a/?utm_source=x&b=2&a=1&fbclid=z", "https://eurometal.net/a/?a=1&b=2"),
    ("https://news.mysteel.com/a/26092810/B51C222EFE8F05B3.html?spm=1.2&from=timeline",
     "https://news.mysteel.com/a/26092810/B51C222EFE8F05B3.html"),
    ("https://www.chinaisa.org.cn/gxportal/xfpt/portal/content.html?columnId=c&articleId=1",
     "https://www.chinaisa.org.cn/gxportal/xfpt/portal/content.html?articleId=1&columnId=c"),
    ("http://iiu.isit.or.th/th/news/Business News/Content-8224.aspx",
     "http://iiu.isit.or.th/th/news/Business%20News/Content-8224.aspx"),
])
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical


def test_rel_canonical_counts_only_inside_the_site():
    hosts = ("www.steelorbis.com", "steelorbis.com")
    page = "https://steelorbis.com/steel-news/latest-news/x-1398765.htm/"
    assert choose_canonical(page, "https://www.steelorbis.com/steel-news/latest-news/x-1398765.htm", hosts) \
        == "https://www.steelorbis.com/steel-news/latest-news/x-1398765.htm"
    assert choose_canonical(page, "https://mirror.example/x", hosts) == canonical_url(page)
    assert rel_canonical(b'<html><head><link rel="Canonical" href=" /a "></head></html>') == "/a"


@pytest.mark.parametrize("head, expected", [
    (b"<link rel='canonical' href='/single'>", "/single"),
    (b"<LINK REL=canonical HREF=/bare>", "/bare"),
    (b'<link href="/a?x=1&amp;y=2" rel="alternate canonical"/>', "/a?x=1&y=2"),
    (b'<link rel="alternate" href="/amp"><link rel="canonical" href="/first"><link rel="canonical" href="/2">',
     "/first"),
    (b'<!-- <link rel="canonical" href="/commented"> --><link rel="canonical" href="/real">', "/real"),
    (b'<link rel="canonical-ish" href="/no"><link rel="stylesheet" href="/s.css">', None),
    (b'<link rel="canonical" href="  ">', None),
])
def test_rel_canonical_reads_the_head_as_a_parser_would(head, expected):
    assert rel_canonical(b"<html><head><title>t</title>" + head + b"</head><body><p>x</p></body></html>") == expected


def test_rel_canonical_ignores_the_body_and_decodes_with_the_declared_charset():
    body_only = b'<html><head></head><body><link rel="canonical" href="/in-body"></body></html>'
    assert rel_canonical(body_only) is None
    gbk = '<html><head><link rel="canonical" href="/新闻/1.html"></head></html>'.encode("gbk")
    assert rel_canonical(gbk, "gbk") == "/新闻/1.html"
    assert rel_canonical(gbk, "no-such-codec") is not None  # an unknown charset falls back, never raises


def test_hosts_and_schemes_a_crawler_may_fetch():
    assert is_allowed_url("https://www.cnmn.com.cn/x", ("www.cnmn.com.cn",))
    assert not is_allowed_url("https://m.caoyihen.com/ShowNews1.aspx?id=468110", ("www.cnmn.com.cn",))
    assert not is_allowed_url("https://evil.www.cnmn.com.cn/", ("www.cnmn.com.cn",))
    for url in ("ftp://www.cnmn.com.cn/", "javascript:void(0)", "mailto:cnmn@cnmn.com.cn", "http://127.0.0.1:8080/",
                "http://10.0.0.5/admin", "http://192.168.10.202/file", "http://[::1]/", "http://localhost/"):
        assert not is_public_web_url(url), url
    assert is_public_web_url("https://worldsteel.org/feed/")


def test_feed_dates_including_smm_shape():
    assert parse_feed_date("13:54:00 Jan 21, 2026", "Asia/Shanghai") == datetime(2026, 1, 21, 13, 54, tzinfo=CST)
    assert parse_feed_date("Wed, 23 Sep 2026 08:00:00 +0000", "Asia/Shanghai") == datetime(
        2026, 9, 23, 8, tzinfo=timezone.utc)
    assert parse_feed_date("2026-09-28T11:05:00+03:00", "UTC").utcoffset() == timedelta(hours=3)
    assert parse_feed_date("not a date", "UTC") is None


def test_list_dates():
    day = date(2026, 9, 28)
    assert parse_list_date("9月28日", day, "Asia/Shanghai").date() == date(2026, 9, 28)
    assert parse_list_date("12月30日", day, "Asia/Shanghai").date() == date(2025, 12, 30)  # not in the future
    assert parse_list_date("[2024-01-05]", day, "Asia/Shanghai").date() == date(2024, 1, 5)
    assert parse_list_date("10.06.2026ส.อ.ท. ชี้ราคา", day, "Asia/Bangkok").date() == date(2026, 6, 10)
    assert parse_list_date("5 Apr 2026", day, "Europe/London").date() == date(2026, 4, 5)
    assert parse_list_date("2026-08-17 16:37", day, "Asia/Shanghai") == datetime(2026, 8, 17, 16, 37, tzinfo=CST)
    old = datetime(2026, 9, 10, tzinfo=CST)
    assert not is_within_days(old, day, 3, "Asia/Shanghai") and is_within_days(old, day, None, "Asia/Shanghai")
    assert is_within_days(None, day, 1, "UTC")


def test_feed_links_keep_raw_dates():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><item><title>t</title>
    <link>https://news.metal.com/newscontent/104148344-x</link><pubDate>10:41:00 Sep 28, 2026</pubDate></item>
    </channel></rss>"""
    [link] = feed_links(rss, "https://rss.metal.com/news/the_latest.xml", "Asia/Shanghai")
    assert link.url == "https://news.metal.com/newscontent/104148344-x"
    assert link.date_raw == "10:41:00 Sep 28, 2026" and link.published == datetime(2026, 9, 28, 10, 41, tzinfo=CST)


def test_sitemaps_index_news_and_gzip():
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://x.org/s1.xml</loc></sitemap></sitemapindex>"""
    assert parse_sitemap(index, "UTC").is_index
    news = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
       xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://x.org/a&e;</loc>
      <news:news><news:publication_date>2026-09-28</news:publication_date></news:news></url></urlset>"""
    sitemap = parse_sitemap(gzip.compress(news), "UTC")
    assert sitemap.is_news and not sitemap.is_index
    assert sitemap.links[0].url.startswith("https://x.org/a") and "root:" not in sitemap.links[0].url


def test_list_links_with_items_dates_and_image_maps():
    html = """<div class="tab-pane active con-middle"><div class="media"><h4><a href="/ShowNews1.aspx?id=2">B</a></h4>
      <span class="time">9月28日</span></div><div class="media"><h4><a href="/ShowNews1.aspx?id=2">B</a></h4></div></div>
      <map><area href="http://paper.cnmn.com.cn/Content.aspx?id=198770&amp;q=5269&amp;v=1"></map>
      <div class="pager"><a class="next" href="?id=13&amp;pageindex=2">下一页</a></div>"""
    base = "https://www.cnmn.com.cn/ShowNewsList.aspx?id=13"
    links = list_links(html, base, item_selector="div.media", link_selector="h4 > a", date_selector="span.time",
                       day=date(2026, 9, 28), timezone="Asia/Shanghai")
    assert [(link.url, link.date_raw) for link in links] == [("https://www.cnmn.com.cn/ShowNews1.aspx?id=2", "9月28日")]
    assert "http://paper.cnmn.com.cn/Content.aspx?id=198770&q=5269&v=1" in [link.url for link in list_links(html, base)]
    assert next_page_url(html, base, "div.pager a.next") == "https://www.cnmn.com.cn/ShowNewsList.aspx?id=13&pageindex=2"


def test_declared_charset_is_kept_as_written():
    assert declared_charset("text/html; charset=GBK", b"") == "gbk"
    assert declared_charset("text/html", b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">') \
        == "gb2312"
    assert declared_charset("", b'<?xml version="1.0" encoding="UTF-8"?><rss/>') == "utf-8"
    assert declared_charset("text/html", b"<html></html>") is None


def test_cisa_hook_builds_the_site_own_posts_and_reads_its_reply():
    body = cisa_form_body({"columnId": "abc", "param": {"pageNo": 2, "pageSize": 20}})
    assert json.loads(unquote(body.decode()[len("params="):])) == {"columnId": "abc", "param": {"pageNo": 2,
                                                                                                  "pageSize": 20}}
    reply = json.dumps({"articleListHtml": '<ul class="list"><li><a href="content.html?articleId=1&amp;columnId=c">'
                                           't</a><span class="times">[2024-01-05]</span></li></ul>'}).encode()
    [link] = cisa_list_links(reply, "https://www.chinaisa.org.cn/x", date(2024, 1, 6))
    assert link.url == "https://www.chinaisa.org.cn/gxportal/xfpt/portal/content.html?articleId=1&columnId=c"
    assert link.published.date() == date(2024, 1, 5)
    spec = cisa_article_request(link.url)
    assert spec.method == "POST" and spec.page_url == link.url and spec.headers["X-Requested-With"]
    with pytest.raises(ValueError, match="unknown hook"):
        get_hook("nope")


@pytest.mark.parametrize(("section", "message"), [
    ({"json_lists": [{"url": "https://x.org/api", "hook": "nope"}]}, "crawl.json_lists[0].hook: unknown hook"),
    ({"lists": [{"url": "https://x.org/", "colour": 1}]}, "crawl.lists[0].colour: unknown key"),
    ({"max_age_days": 0}, "crawl.max_age_days"),
    ({"sitemap_follow": ["(bad"]}, "crawl.sitemap_follow[0]: bad regex"),
    ({"concurrency": 4}, "crawl.concurrency"),
])
def test_crawl_rule_errors_name_the_key(section, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_crawl_rules(section)
