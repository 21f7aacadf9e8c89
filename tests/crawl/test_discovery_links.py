"""Listing-page links resolve as a browser resolves them (``<base href>``), and hosts compare in one spelling
(Unicode or punycode, letter case, trailing dot) in the host guard, the canonical URL and the site rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.pages import list_links, next_page_url
from crawlers.urls import canonical_url, choose_canonical, is_allowed_url, normal_host, url_host
from ingot.errors import SiteRuleError
from ingot.sites import load_site

UNICODE_HOST = "www.例子.cn"
PUNYCODE_HOST = "www.xn--fsqu00a.cn"

BASE_PAGE = """<html><head><title>News</title><base href="https://site.example/news/"></head><body>
<ul class="items">
  <li><a href="2026/steel-output-rises.html">Steel output rises</a> <span>2026-09-28</span></li>
  <li><a href="aluminium-stocks.html">Aluminium stocks</a> <span>2026-09-27</span></li>
  <li><a href="/about.html">About</a></li>
  <li><a href="../archive/old.html">Old</a></li>
  <li><a href="https://other.example/x.html">Elsewhere</a></li>
</ul>
<a class="next" href="?page=2">Next</a>
</body></html>"""


def test_links_of_a_page_with_a_base_href_resolve_against_it():
    page = "https://site.example/index.php?section=news"
    links = [link.url for link in list_links(BASE_PAGE, page)]
    assert links == ["https://site.example/news/2026/steel-output-rises.html",
                     "https://site.example/news/aluminium-stocks.html", "https://site.example/about.html",
                     "https://site.example/archive/old.html", "https://other.example/x.html",
                     "https://site.example/news/?page=2"]
    dated = list_links(BASE_PAGE, page, item_selector="ul.items li", date_selector="span")
    assert dated[0].url == "https://site.example/news/2026/steel-output-rises.html"
    assert next_page_url(BASE_PAGE, page, "a.next") == "https://site.example/news/?page=2"


def test_a_relative_base_href_is_itself_relative_to_the_page_and_the_first_one_counts():
    html = ('<head><base target="_blank"><base href="/news/"><base href="https://wrong.example/">'
            '</head><a href="a.html">a</a>')
    assert [link.url for link in list_links(html, "https://site.example/x/y.html")] == [
        "https://site.example/news/a.html"]
    without = '<head></head><a href="a.html">a</a><a href="b c.html">b</a>'
    assert [link.url for link in list_links(without, "https://site.example/x/y.html")] == [
        "https://site.example/x/a.html", "https://site.example/x/b c.html"]  # no base: unchanged


@pytest.mark.parametrize("allowed", [(UNICODE_HOST,), (PUNYCODE_HOST,), ("WWW.XN--FSQU00A.CN.",)])
@pytest.mark.parametrize("url", [f"https://{UNICODE_HOST}/新闻/1.html", f"https://{PUNYCODE_HOST}/1.html",
                                 "https://WWW.例子.CN./1.html", "http://www.xn--fsqu00a.cn:8080/1.html"])
def test_an_international_host_passes_the_guard_in_either_spelling(allowed, url):
    assert is_allowed_url(url, allowed)


def test_the_guard_still_refuses_other_hosts_of_an_international_name():
    assert not is_allowed_url("https://evil.例子.cn/1.html", (UNICODE_HOST,))
    assert not is_allowed_url("https://例子.cn/1.html", (PUNYCODE_HOST,))
    assert not is_allowed_url("https://www.例子.com/1.html", (UNICODE_HOST,))
    assert not is_allowed_url("ftp://www.例子.cn/1.html", (UNICODE_HOST,))


def test_hosts_have_one_spelling():
    assert normal_host("WWW.例子.CN.") == normal_host(PUNYCODE_HOST) == PUNYCODE_HOST
    assert url_host(f"https://{UNICODE_HOST}:443/x") == PUNYCODE_HOST
    assert url_host("https://WWW.Example.COM./x") == "www.example.com"
    assert url_host("not a url") == ""


def test_the_canonical_url_keeps_one_spelling_of_the_host():
    spellings = [f"https://{UNICODE_HOST}/新闻/1.html?utm_source=x",
                 f"https://{PUNYCODE_HOST}/%E6%96%B0%E9%97%BB/1.html",
                 "https://WWW.XN--FSQU00A.CN./%E6%96%B0%E9%97%BB/1.html", f"https://{UNICODE_HOST}.:443/新闻/1.html"]
    assert {canonical_url(url) for url in spellings} == {f"https://{PUNYCODE_HOST}/%E6%96%B0%E9%97%BB/1.html"}
    assert choose_canonical(f"https://{PUNYCODE_HOST}/a", f"https://{UNICODE_HOST}/b", (UNICODE_HOST,)) == \
        f"https://{PUNYCODE_HOST}/b"


SITE_RULE = """key: idn
name: IDN site
base_url: {base_url}
timezone: Asia/Shanghai
rule_version: 1
allowed_hosts: {hosts}
"""


def write_rule(tmp_path: Path, base_url: str, hosts: str) -> Path:
    path = tmp_path / "idn.yaml"
    path.write_text(SITE_RULE.format(base_url=base_url, hosts=hosts), encoding="utf-8")
    return path


def test_site_rules_hold_allowed_hosts_in_one_spelling(tmp_path):
    site = load_site(write_rule(tmp_path, f"https://{PUNYCODE_HOST}/",
                                f"[{UNICODE_HOST}, WWW.XN--FSQU00A.CN., news.例子.cn]"))
    assert site.allowed_hosts == (PUNYCODE_HOST, "news.xn--fsqu00a.cn")
    assert site.extract.allowed_hosts == {PUNYCODE_HOST, "news.xn--fsqu00a.cn"}
    unicode_base = load_site(write_rule(tmp_path, f"https://{UNICODE_HOST}/", f"[{PUNYCODE_HOST}]"))
    assert unicode_base.allowed_hosts == (PUNYCODE_HOST,)
    with pytest.raises(SiteRuleError, match="not in allowed_hosts"):
        load_site(write_rule(tmp_path, "https://例子.cn/", f"[{UNICODE_HOST}]"))
