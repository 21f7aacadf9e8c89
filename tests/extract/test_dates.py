"""Date parsing, table-driven, and the order in which a page's publication date is looked for."""

from __future__ import annotations

import re

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from extract.dates import parse_date_text
from extract.published import find_published
from extract.page import Page

FETCHED = datetime(2026, 6, 15, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai
SH, BKK, PAR = ZoneInfo("Asia/Shanghai"), ZoneInfo("Asia/Bangkok"), ZoneInfo("Europe/Paris")


def at(zone, *parts):
    return datetime(*parts, tzinfo=zone)


TABLE = [
    # raw, site zone, expected (aware, in the site zone)
    ("2025年01月27日 11:28", SH, at(SH, 2025, 1, 27, 11, 28)),
    ("2015年11月10日 8:15", SH, at(SH, 2015, 11, 10, 8, 15)),
    ("来源:通达融媒2024-07-04 08:30", SH, at(SH, 2024, 7, 4, 8, 30)),
    ("juil. 31, 2025, at 1:22 pm", SH, at(SH, 2025, 7, 31, 13, 22)),
    ("14 September 2023", BKK, at(BKK, 2023, 9, 14)),
    ("10.06.2026", BKK, at(BKK, 2026, 6, 10)),
    ("13:54:00 Jan 21, 2026", SH, at(SH, 2026, 1, 21, 13, 54)),
    ("7 hours ago", SH, at(SH, 2026, 6, 15, 5, 0)),
    ("3小时前", SH, at(SH, 2026, 6, 15, 9, 0)),
    ("il y a 2 jours", PAR, at(PAR, 2026, 6, 13, 6, 0)),
    ("3 ชั่วโมงที่แล้ว", BKK, at(BKK, 2026, 6, 15, 8, 0)),
    ("2 วันที่แล้ว", BKK, at(BKK, 2026, 6, 13, 11, 0)),
    ("เมื่อวาน 18:20", BKK, at(BKK, 2026, 6, 14, 18, 20)),
    ("前天", SH, at(SH, 2026, 6, 13)),
    ("刚刚", SH, at(SH, 2026, 6, 15, 12, 0)),
    ("1小時前", SH, at(SH, 2026, 6, 15, 11, 0)),
    ("113年3月5日", SH, at(SH, 2024, 3, 5)),
    ("民國113年3月5日", SH, at(SH, 2024, 3, 5)),
    ("14 กันยายน 2566", BKK, at(BKK, 2023, 9, 14)),
    ("14 ก.ย. 66", BKK, at(BKK, 2023, 9, 14)),
    ("Published : Jun 01, 2026 10:53", SH, at(SH, 2026, 6, 1, 10, 53)),
    ("[2024-01-05]", SH, at(SH, 2024, 1, 5)),
    ("日期：2024-01-05", SH, at(SH, 2024, 1, 5)),
    ("5 Apr 2026", timezone.utc, at(timezone.utc, 2026, 4, 5)),
    ("London, 16 March 2021 –", ZoneInfo("Europe/London"), at(ZoneInfo("Europe/London"), 2021, 3, 16)),
    ("Tue, 05 Mar 2024 10:00:00 +0000", SH, at(SH, 2024, 3, 5, 18, 0)),
    ("2024-03-05T10:00:00+01:00", SH, at(SH, 2024, 3, 5, 17, 0)),
    ("2026-08-18T10:44:40+08:00".replace("2026-08", "2025-08"), SH, at(SH, 2025, 8, 18, 10, 44, 40)),
    ("1737000000000", SH, at(SH, 2025, 1, 16, 12, 0)),
    ("July 10, 2020 18:00 GMT", timezone.utc, at(timezone.utc, 2020, 7, 10, 18, 0)),
    ("vor 3 Tagen", PAR, at(PAR, 2026, 6, 12, 6, 0)),
    ("2024/3/5 9:07", SH, at(SH, 2024, 3, 5, 9, 7)),
]


@pytest.mark.parametrize("raw,zone,expected", TABLE, ids=[row[0] for row in TABLE])
def test_parse_table(raw, zone, expected):
    value = parse_date_text(raw, fetched_at=FETCHED, timezone=zone)
    assert value == expected
    if not re.search(r"[+-]\d\d:?\d\d$|Z$", raw):  # no offset written: expressed in the site zone
        assert value.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("raw,offset_hours,day", [
    ("Tue, 05 Mar 2024 22:00:00 +0000", 0, "2024-03-05"),
    ("2024-03-05T23:30:00-08:00", -8, "2024-03-05"),  # the 6th in Shanghai, but the page wrote the 5th
    ("2024-03-05T02:00:00Z", 0, "2024-03-05"),
])
def test_a_written_offset_is_kept_so_the_day_is_the_pages(raw, offset_hours, day):
    value = parse_date_text(raw, fetched_at=FETCHED, timezone=SH)
    assert value.utcoffset() == timedelta(hours=offset_hours) and value.date().isoformat() == day


def test_yearless_takes_the_fetch_year_and_rolls_back_when_future():
    assert parse_date_text("4月16日", fetched_at=FETCHED, timezone=SH, allow_yearless=True) == at(SH, 2026, 4, 16)
    january = datetime(2026, 1, 2, tzinfo=timezone.utc)
    assert parse_date_text("12月30日", fetched_at=january, timezone=SH, allow_yearless=True) == at(SH, 2025, 12, 30)
    assert parse_date_text("4月16日", fetched_at=FETCHED, timezone=SH) is None  # only where a site says so


@pytest.mark.parametrize("raw", ["2026-06-17", "2024", "March 2024", "今日要闻", "", "2021年13月40日", "1月1日 00:00",
                                 "12年3月5日", "1989-06-01"])
def test_refuses_future_yearonly_and_nonsense(raw):
    assert parse_date_text(raw, fetched_at=FETCHED, timezone=SH) is None


def test_tomorrow_is_tolerated_but_not_later():
    assert parse_date_text("2026-06-16 08:00", fetched_at=FETCHED, timezone=SH) is not None
    assert parse_date_text("2026-06-17 08:00", fetched_at=FETCHED, timezone=SH) is None


def test_fetched_at_must_be_aware():
    with pytest.raises(ValueError):
        parse_date_text("2024-01-05", fetched_at=datetime(2026, 1, 1), timezone=SH)


def test_extra_formats_come_first():
    value = parse_date_text("05/03/24", fetched_at=FETCHED, timezone=SH, formats=("%m/%d/%y",))
    assert value == at(SH, 2024, 5, 3)


def page(head="", body="", url="https://example.com/news/story.html"):
    return Page(f"<html><head>{head}</head><body>{body}</body></html>", url)


def find(p, **kw):
    return find_published(p, fetched_at=FETCHED, timezone="Asia/Shanghai", **kw)


JSONLD = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-02-02T08:00:00+08:00"}</script>'
META = '<meta property="article:published_time" content="2024-03-03T08:00:00+08:00">'
TEXT = "<p>" + "Body text. " * 40 + "</p>"


@pytest.mark.parametrize("head,body,url,rule,value", [
    (JSONLD, TEXT, "", "jsonld+htmldate", at(SH, 2024, 2, 2, 8)),
    (META, TEXT, "", "meta:article:published_time+htmldate", at(SH, 2024, 3, 3, 8)),
    ("", '<time datetime="2024-04-04T08:00:00+08:00">4 Apr</time>' + TEXT, "", "time:datetime+htmldate",
     at(SH, 2024, 4, 4, 8)),
    ("", TEXT, "https://example.com/2024/05/05/story", "url+htmldate", at(SH, 2024, 5, 5)),
])
def test_each_source_alone_names_its_rule(head, body, url, rule, value):
    found = find(page(head, "<h1>Steel output rises</h1>" + body, url=url or "https://example.com/story"),
                 headline="Steel output rises")
    assert (found.rule, found.value) == (rule, value)


def test_evidence_order_selector_then_confirmed_headline_date_then_htmldate():
    body = ('<h1>Steel output rises</h1><p class="d">2024-01-01 09:00</p>'
            '<time datetime="2024-04-04T08:00:00+08:00">4 Apr</time>' + TEXT)
    p = page(JSONLD + META, body, url="https://example.com/2024/05/05/story")
    assert find(p, date_selector="p.d", headline="Steel output rises").rule == "site:date_selector"
    # the date under the headline stands alone against three others: htmldate's reading of the markup wins
    assert find(p, headline="Steel output rises").rule == "meta:article:published_time+htmldate"
    shown = page(JSONLD, body.replace("2024-01-01 09:00", "2024-02-02 09:00"), url="https://example.com/story")
    found = find(shown, headline="Steel output rises")
    assert (found.rule, found.value) == ("text:near-headline+confirmed", at(SH, 2024, 2, 2, 9))


def test_body_dates_are_not_publication_dates():
    body = ("<h1>倡议书</h1><p>1月15日,为推动我国铝行业实现碳达峰目标和碳中和愿景," + "加快建立绿色低碳高效发展新格局," * 8 +
            "</p><p>中国铝业集团有限公司</p><p>2021年1月15日</p>")
    assert find(page("", body), headline="倡议书") is None


@pytest.mark.parametrize("url,expected", [
    ("https://difang.gmw.cn/nmg/2024-07/04/content_37421613.htm", at(SH, 2024, 7, 4)),
    ("https://news.mysteel.com/a/25081810/B51C222EFE8F05B3.html", at(SH, 2025, 8, 18, 10)),
    ("https://worldsteel.org/media/press-releases/2024/july-2024-crude-steel-production/", None),
    ("https://example.com/2024/03/05/story", at(SH, 2024, 3, 5)),
])
def test_url_dates(url, expected):
    found = find(page(url=url))
    assert (found.value if found else None) == expected


def test_epoch_is_read_in_site_zone_and_a_utc_time_element_in_the_sites_zone():
    assert parse_date_text("1709604000", fetched_at=FETCHED, timezone=SH).isoformat() == "2024-03-05T10:00:00+08:00"
    found = find(page(body='<time datetime="2024-03-05T02:00:00Z">x</time>'))
    assert found.value.isoformat() == "2024-03-05T10:00:00+08:00" and found.value == at(SH, 2024, 3, 5, 10)
    assert found.raw == "2024-03-05T02:00:00Z"


def test_relative_dates_use_fetched_at_not_the_clock():
    a = parse_date_text("2 days ago", fetched_at=FETCHED, timezone=SH)
    b = parse_date_text("2 days ago", fetched_at=FETCHED + timedelta(days=10), timezone=SH)
    assert b - a == timedelta(days=10)


def utc_jsonld(value: str) -> str:
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "{value}"}}</script>'


def test_a_utc_time_is_read_on_the_publishers_day_in_the_pages_zone():
    """Berlin publishes at 00:30 on the 30th; its JSON-LD writes 23:30 UTC on the 29th."""
    p = page(utc_jsonld("2022-12-29T23:30:00Z"), "<h1>Trends</h1>" + TEXT, url="https://example.de/trends")
    found = find_published(p, fetched_at=FETCHED, timezone="Europe/Berlin", headline="Trends")
    assert found.value.date().isoformat() == "2022-12-30" and found.rule.endswith("+local-zone")
    assert found.value == datetime(2022, 12, 29, 23, 30, tzinfo=timezone.utc)  # the same instant


@pytest.mark.parametrize("url,day", [
    ("https://example.com/2023/11/08/mayor-elected/", "2023-11-08"),  # the URL's day: the evening before, local
    ("https://example.com/2023/11/05/mayor-elected/", "2023-11-09"),  # days off: another date, not a zone
    ("https://example.com/news/mayor-elected/", "2023-11-09"),  # no local day shown: UTC stands
])
def test_a_utc_time_on_a_page_of_unknown_zone_moves_only_to_the_day_the_page_shows(url, day):
    p = page(utc_jsonld("2023-11-09T05:30:59Z"), "<h1>Mayor elected</h1>" + TEXT, url=url)
    found = find_published(p, fetched_at=FETCHED, timezone="UTC", headline="Mayor elected")
    assert found.value.date().isoformat() == day
    assert found.value == datetime(2023, 11, 9, 5, 30, 59, tzinfo=timezone.utc)


def test_the_date_under_the_headline_gives_the_local_day_when_the_url_has_none():
    body = "<h1>Mayor elected</h1><p>November 8, 2023</p>" + TEXT
    p = page(utc_jsonld("2023-11-09T05:30:59Z"), body, url="https://example.com/news/mayor-elected/")
    assert find_published(p, fetched_at=FETCHED, timezone="UTC",
                          headline="Mayor elected").value.date().isoformat() == "2023-11-08"
