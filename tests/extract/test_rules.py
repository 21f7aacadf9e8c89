"""parse_extract_rules: the `extract:` section of a site file."""

from __future__ import annotations

import re

import pytest

from extract import ExtractRules, parse_extract_rules


def test_full_section_parses():
    rules = parse_extract_rules({
        "title_selector": "h1.u-title", "body_selector": "#txtcont", "date_selector": "span.time",
        "author_selector": ".author", "source_selector": ".source a", "editor_selector": "#articleLiability",
        "drop_selectors": [".share", "#comments"], "drop_patterns": ["^分享到"], "cut_patterns": ["^中国有色网声明"],
        "paywall_selectors": [".paywall"], "paywall_patterns": ["Subscribe to read"], "language": "zh-Hans",
        "date_formats": ["%Y年%m月%d日 %H:%M"],
    }, allowed_hosts=["www.cnmn.com.cn", "WWW.CNMN.COM.CN"], timezone="Asia/Shanghai")
    assert isinstance(rules, ExtractRules)
    assert rules.allowed_hosts == frozenset({"www.cnmn.com.cn"})
    assert rules.cut_patterns[0].search("中国有色网声明:本网")
    assert rules.drop_selectors == (".share", "#comments")
    assert rules.timezone == "Asia/Shanghai"
    hash(rules)  # frozen and hashable: usable as a cache key by callers


def test_empty_section_is_generic():
    assert parse_extract_rules({}, allowed_hosts=(), timezone=None) == ExtractRules()
    assert parse_extract_rules(None, allowed_hosts=()) == ExtractRules()


@pytest.mark.parametrize("section,message", [
    ({"body_selecter": "#x"}, "extract.body_selecter: unknown key"),
    ({"body_selector": 3}, "extract.body_selector: expected a non-empty CSS selector"),
    ({"body_selector": "div[[["}, "extract.body_selector: invalid CSS selector"),
    ({"drop_selectors": {"a": 1}}, "extract.drop_selectors: expected a list"),
    ({"cut_patterns": ["(unclosed"]}, "extract.cut_patterns: regex '(unclosed' does not compile"),
    ({"drop_patterns": [None]}, "extract.drop_patterns: expected a regex string"),
    ({"language": "Chinese"}, "extract.language: expected a BCP-47 tag"),
    ({"date_formats": ["YYYY-MM-DD"]}, "extract.date_formats: expected strptime formats"),
])
def test_problems_name_the_key(section, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_extract_rules(section, allowed_hosts=["example.com"], timezone="UTC")


def test_unknown_timezone():
    with pytest.raises(ValueError, match="extract.timezone"):
        parse_extract_rules({}, allowed_hosts=(), timezone="Mars/Olympus")


def test_single_string_is_accepted_as_a_list():
    assert parse_extract_rules({"drop_selectors": ".share"}, allowed_hosts=()).drop_selectors == (".share",)
