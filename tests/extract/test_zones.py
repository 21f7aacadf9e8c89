from datetime import datetime, timezone

import pytest

from extract import extract_article
from extract.zones import default_timezone

FETCHED = datetime(2026, 11, 21, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("url", "language", "codec", "zone"),
    [
        ("https://news.example.com.cn/a.htm", None, "utf-8", "Asia/Shanghai"),
        ("https://www.example.tw/a", "en", "utf-8", "Asia/Taipei"),
        ("https://iiu.isit.or.th/th/news/x.aspx", None, "utf-8", "Asia/Bangkok"),
        ("https://www.handelsblatt.de/x", None, "utf-8", "Europe/Berlin"),
        ("https://example.com/x", "ja", "utf-8", "Asia/Tokyo"),
        ("https://example.com/x", "zh-CN", "utf-8", "Asia/Shanghai"),
        ("https://example.com/x", "zh_TW", "utf-8", "Asia/Taipei"),
        ("https://example.com/x", None, "gb18030", "Asia/Shanghai"),
        # languages spoken across many zones give no hint
        ("https://example.com/x", "en-US", "utf-8", "UTC"),
        ("https://example.com/x", "fr", "utf-8", "UTC"),
        ("https://example.org/x", "es", None, "UTC"),
    ],
)
def test_default_timezone(url, language, codec, zone):
    assert default_timezone(url, language, codec) == zone


PAGE = """<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head><body>
<h1>{title}</h1><div class="info">2026-11-19 10:32</div>
<p>{para}</p><p>{para}</p><p>{para}</p></body></html>"""


def test_a_naive_time_on_a_chinese_page_without_rules_is_beijing_time():
    html = PAGE.format(lang="zh-CN", title="电解铝价格上涨 行业利润修复",
                       para="国内电解铝现货价格延续上涨态势，长江现货均价报收21350元/吨，较前一交易日上涨180元/吨，行业利润明显修复。")
    article = extract_article(html.encode(), "https://news.example.com/a/1.html", fetched_at=FETCHED)
    assert article.published_at.isoformat() == "2026-11-19T10:32:00+08:00"


def test_a_site_rule_time_zone_wins_over_the_guess():
    html = PAGE.format(lang="zh-CN", title="电解铝价格上涨 行业利润修复",
                       para="国内电解铝现货价格延续上涨态势，长江现货均价报收21350元/吨，较前一交易日上涨180元/吨，行业利润明显修复。")
    article = extract_article(html.encode(), "https://news.example.com/a/1.html", fetched_at=FETCHED,
                              timezone="Europe/London")
    assert article.published_at.isoformat() == "2026-11-19T10:32:00+00:00"
