"""Authors: every source (credit lines, meta and JSON-LD, trafilatura's byline finder), names cleaned."""

from __future__ import annotations

import pytest

from extract import Article, extract_article, parse_extract_rules
from extract.authors import clean_names

from .seeds import FETCHED_AT

PARAGRAPHS = "".join(
    f"<p>{i}. Steel output in the region rose again in the third quarter as mills restarted furnaces that had been "
    "idled during the spring, according to figures published by the national association.</p>" for i in range(4))
ZH_PARAGRAPHS = "".join(f"<p>第{i}段：重点统计钢铁企业粗钢产量同比下降1.2%，钢材库存处于近年同期较低水平，行业运行总体平稳。</p>"
                        for i in range(4))


def extract(html, url="https://news.example.com/2025/11/20/story.html", **kw):
    result = extract_article(html, url, fetched_at=FETCHED_AT, **kw)
    assert isinstance(result, Article), result
    return result


@pytest.mark.parametrize("raw,names", [
    (["By Jane Doe"], ["Jane Doe"]),
    (["By Nathan Willis March 25, 2015"], ["Nathan Willis"]),
    (["by Lucas Nolan 22 Dec 2016"], ["Lucas Nolan"]),
    (["View all posts by Daniel Roe"], ["Daniel Roe"]),
    (["Jane Doe", "Reuters"], ["Jane Doe"]),  # a wire service is a source, not a person
    (["新华社"], []),
    (["Jane Doe", "jane.doe", "facebook.com"], ["Jane Doe"]),
    (["Redacci&oacute;n Diario Siete"], ["Redacción Diario Siete"]),
    (["Sadhbh Roe", "Foto: Anna Jay"], ["Sadhbh Roe"]),
    (["Redaktion"], ["Redaktion"]),  # an editorial team signing the story is its author
    (["Jane", "Jane Doe"], ["Jane Doe"]),
    (["null"], []),
])
def test_clean_names(raw, names):
    assert clean_names(raw) == names


def test_a_byline_element_names_the_author_of_a_generic_page():
    page = ('<html><head><title>Mills restart furnaces</title></head><body><h1>Mills restart furnaces</h1>'
            '<div class="post-meta"><span class="byline">By <a href="/author/jdoe/" rel="author">Jane Doe</a></span>'
            f'</div><div class="entry">{PARAGRAPHS}</div></body></html>')
    assert extract(page).authors == ("Jane Doe",)


def test_a_byline_with_a_date_after_the_name():
    page = ('<html><head><title>Mills restart furnaces</title></head><body><h1>Mills restart furnaces</h1>'
            f'<p class="meta">By Amelie Marie Roe Feb 8, 2020</p>{PARAGRAPHS}</body></html>')
    assert extract(page).authors == ("Amelie Marie Roe",)


def test_jsonld_person_author_and_an_agency_as_source():
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Mills restart furnaces", '
          '"author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Organization", "name": "Reuters"}]}</script>')
    page = f"<html><head>{ld}</head><body><h1>Mills restart furnaces</h1>{PARAGRAPHS}</body></html>"
    assert extract(page).authors == ("Jane Doe",)


@pytest.mark.parametrize("line,authors,editor", [
    ("作者：张三 李四", ("张三", "李四"), None),
    ("本报记者 王五", ("王五",), None),
    ("文/赵六", ("赵六",), None),
    ("撰稿：钱七 责任编辑：孙八", ("钱七",), "孙八"),
    ("通讯员：周九", ("周九",), None),
    ("编辑：吴十", (), "吴十"),  # the editor is kept apart, never taken for the author
])
def test_chinese_credit_lines(line, authors, editor):
    page = (f"<html><head><title>钢协召开信息发布会</title></head><body><h1>钢协召开信息发布会</h1><p>{line}</p>"
            f"{ZH_PARAGRAPHS}</body></html>")
    result = extract(page, url="https://news.example.cn/2025/11/20/a.html")
    assert (result.authors, result.editor) == (authors, editor)
    assert line not in result.text


def test_a_site_rule_names_its_bylines_and_generic_guesses_stay_out():
    page = ('<html><head><title>Mills restart furnaces</title></head><body><h1>Mills restart furnaces</h1>'
            f'<span class="author vcard"><a href="/author/news/">News Desk</a></span>{PARAGRAPHS}</body></html>')
    assert extract(page).authors == ("News Desk",)
    rules = parse_extract_rules({}, allowed_hosts=["news.example.com"])
    assert extract(page, rules=rules).authors == ()
