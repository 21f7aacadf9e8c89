"""Article patterns proposed from sample URLs, and rule keys from host names (ingot sites discover)."""

import re

import pytest

from ingot.site_discovery import site_key_for
from ingot.url_patterns import article_patterns, segment_pattern

CASES = [
    # WordPress: one slug at the root, an "about" page among the samples has the same shape
    (["https://eurometal.net/steel-prices-rise/", "https://eurometal.net/zinc-falls-again/"],
     [r"^https?://eurometal\.net/[a-z0-9-]+/$"]),
    # dated paths: numbers stay numbers next year, the constant section is kept
    (["http://www.cmra.cn/cmra/xiehuigongzuo/20260923/284512.html",
      "http://www.cmra.cn/cmra/huiyikaocha/20260901/284400.html"],
     [r"^https?://www\.cmra\.cn/cmra/[a-z0-9-]+/\d+/\d+\.html$"]),
    # a shared month is a date, not a constant; an id keeps its fixed prefix
    (["https://difang.gmw.cn/nmg/2024-07/04/content_37421613.htm",
      "https://difang.gmw.cn/nmg/2024-07/05/content_37421999.htm"],
     [r"^https?://difang\.gmw\.cn/nmg/\d+-\d+/\d+/content_\d+\.htm$"]),
    # a query id
    (["https://www.cnmn.com.cn/ShowNews1.aspx?id=468110", "https://www.cnmn.com.cn/ShowNews1.aspx?id=474272"],
     [r"^https?://www\.cnmn\.com\.cn/ShowNews1\.aspx\?id=\d+$"]),
    # upper-case hex names
    (["https://news.mysteel.com/a/26011615/B51C222EFE8F05B3.html",
      "https://news.mysteel.com/a/26092810/0A1B2C3D4E5F6071.html"],
     [r"^https?://news\.mysteel\.com/a/\d+/[A-Za-z0-9_-]+\.html$"]),
    # one sample: its last segment is its own name, generalised; the folders before it are kept
    (["https://difang.gmw.cn/nmg/2024-07/04/content_37421613.htm"],
     [r"^https?://difang\.gmw\.cn/nmg/\d+-\d+/\d+/content_\d+\.htm$"]),
]


@pytest.mark.parametrize(("urls", "patterns"), CASES)
def test_patterns_generalise_numbers_and_slugs_and_keep_constant_words(urls, patterns):
    proposed = article_patterns(urls)
    assert proposed == patterns
    for url in urls:
        assert any(re.search(p, url) for p in proposed)


def test_a_rare_shape_among_many_samples_is_left_out():
    articles = [f"https://news.example.test/news/2026/09/{day:02d}/story-number-{day}.html" for day in range(1, 9)]
    proposed = article_patterns(articles + ["https://news.example.test/about/", "https://news.example.test/"])
    assert proposed == [r"^https?://news\.example\.test/news/\d+/\d+/\d+/[a-z0-9-]+\.html$"]
    assert not re.search(proposed[0], "https://news.example.test/about/")
    assert not re.search(proposed[0], "https://news.example.test/news/2026/09/01/")


def test_two_common_shapes_are_both_proposed_the_commoner_first():
    urls = ([f"https://a.test/news/{n}-metal-story" for n in range(100, 106)]
            + [f"https://a.test/analysis/{n}.html" for n in range(7, 10)])
    assert article_patterns(urls) == [r"^https?://a\.test/news/[a-z0-9-]+$", r"^https?://a\.test/analysis/\d+\.html$"]


def test_no_samples_or_only_home_pages_propose_nothing():
    assert article_patterns([]) == []
    assert article_patterns(["https://a.test/", "ftp://a.test/file"]) == []


@pytest.mark.parametrize(("values", "pattern"), [
    (["2026", "2026"], r"\d+"),
    (["news", "news"], "news"),
    (["copper-up", "zinc-down"], "[a-z0-9-]+"),
    (["Steel-Prices-Up", "zinc"], "[A-Za-z0-9_-]+"),
    (["a%C3%A7o", "zinc"], "[^/]+"),
    (["1.html", "2.htm"], "[^/]+"),
    (["Content-8224.aspx", "Content-6342.aspx"], r"Content-\d+\.aspx"),
])
def test_segment_classes(values, pattern):
    assert segment_pattern(values) == pattern


@pytest.mark.parametrize(("host", "key"), [
    ("news.example-metals.test", "news_example_metals"), ("www.cmra.cn", "cmra"), ("www.cnmn.com.cn", "cnmn"),
    ("iiu.isit.or.th", "iiu_isit"), ("EuroMetal.net", "eurometal"), ("localhost", "localhost"),
])
def test_rule_keys_come_from_host_names(host, key):
    assert site_key_for(host) == key


def test_title_case_and_lower_case_slugs_are_one_shape():
    urls = ["https://news.metal.com/newscontent/103456/Steel-Prices-Up",
            "https://news.metal.com/newscontent/103457/zinc"]
    assert article_patterns(urls) == [r"^https?://news\.metal\.com/newscontent/\d+/[A-Za-z0-9_-]+$"]
