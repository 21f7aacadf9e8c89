from datetime import datetime, timezone

import pytest

from extract import Article, extract_article, parse_extract_rules
from extract.article import html_of_json_reply
from extract.credits import parse_credit_line

FETCHED = datetime(2026, 9, 28, tzinfo=timezone.utc)
BODY = "".join(f"<p>第{i}段：重点统计钢铁企业粗钢产量同比下降1.2%，钢材库存处于近年同期较低水平，行业运行总体平稳。</p>" for i in range(4))


def test_an_article_served_as_a_json_reply_is_read_from_its_html_field():
    reply = ('{"code": 0, "title": "x", "article_content": "<div class=\\"article_title\\">钢协召开信息发布会</div>'
             f'<div class=\\"article_main\\">{BODY}</div>"}}')
    result = extract_article(reply.encode(), "https://www.chinaisa.org.cn/a?articleId=1", fetched_at=FETCHED)
    assert isinstance(result, Article)
    assert result.title == "钢协召开信息发布会"
    assert "行业运行总体平稳" in result.text and "article_content" not in result.text


@pytest.mark.parametrize("text", ["<html><p>not json</p></html>", '{"a": "no markup here"}', "{broken json <p>"])
def test_pages_that_are_not_json_replies_are_left_alone(text):
    assert html_of_json_reply(text) is None


def test_a_labelled_date_ends_the_source_and_toolbar_links_are_dropped():
    credits = parse_credit_line("文章来源：中国钢铁工业协会 日期：2026-09-27 【打印】 【关闭】")
    assert credits.source == "中国钢铁工业协会"


def test_source_patterns_name_the_agency_a_report_is_from():
    rules = parse_extract_rules({"source_patterns": [r"\b(Kallanish) notes\b"]})
    page = ("<html><head><title>Scrap stable</title></head><body><article><h1>Scrap stable</h1>"
            "<p>Western European ferrous scrap prices are expected to move sideways in October as mills balance "
            "weaker demand against tight collection volumes, Kallanish notes.</p><p>" + "Mills cut output. " * 12
            + "</p></article></body></html>")
    result = extract_article(page.encode(), "https://eurometal.net/scrap/", rules=rules, fetched_at=FETCHED)
    assert result.original_source == "Kallanish"


def test_a_source_pattern_without_a_group_is_a_rule_error():
    with pytest.raises(ValueError, match="extract.source_patterns"):
        parse_extract_rules({"source_patterns": ["Kallanish notes"]})
