"""Discovery dates on real date forms: every valid form of feedparser's own date tests, zone names near midnight,
reduced-precision sitemap dates and the listing-page shapes.

The forms and expected values below are copied from feedparser's ``tests/test_date_parsers.py``
(kurtmckee/feedparser, commit a22c5521; licence in ``tests/fixtures/realweb/feedparser/LICENSE``). feedparser's
expected values are UTC; ingot reads a form that writes no zone in the site's zone, so those forms are checked
in a UTC site (where both agree) and again in another zone (same wall clock, that zone's offset).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crawlers.dates import is_within_days, parse_feed_date, parse_list_date

# (form, feedparser's expected UTC value) for forms that write their zone
ZONED_FORMS = [
    ("\u039a\u03c5\u03c1, 11 \u0399\u03bf\u03cd\u03bb 2004 12:00:00 EST", (2004, 7, 11, 17, 0, 0)),  # Greek
    ("2004-j\u00falius-13T9:15-05:00", (2004, 7, 13, 14, 15, 0)),  # Hungarian
    ("2003-12-31T10:14:55.1234Z", (2003, 12, 31, 10, 14, 55)),  # ISO 8601, fractional seconds
    ("2003-012-31T10:14:55+00:00", (2003, 12, 31, 10, 14, 55)),  # Google's extra zero in the month
    ("Fri, 2006/09/15 08:19:53 EDT", (2006, 9, 15, 12, 19, 53)),  # Perforce
    ("Thu, 30 Apr 2015 08:57:00 MET", (2015, 4, 30, 7, 57, 0)),
    ("Thu, 30 Apr 2015 08:57:00 MEST", (2015, 4, 30, 6, 57, 0)),
    ("Thu, 01 Jan 0100 00:00:01 +0100", (99, 12, 31, 23, 0, 1)),  # ancient date
    ("Thu, 01 Jan 04 19:48:21 GMT", (2004, 1, 1, 19, 48, 21)),  # 2-digit year
    ("Thu, 01 Jan 2004 19:48:21 GMT", (2004, 1, 1, 19, 48, 21)),
    ("Thu,  5 Apr 2012 10:00:00 GMT", (2012, 4, 5, 10, 0, 0)),  # 1-digit day
    ("Wed, 19 Aug 2009 18:28:00 Etc/GMT", (2009, 8, 19, 18, 28, 0)),
    ("Wed, 19 Feb 2012 22:40:00 GMT-01:01", (2012, 2, 19, 23, 41, 0)),
    ("Wed, 19 Feb 2012 22:40:00 -01:01", (2012, 2, 19, 23, 41, 0)),
    ("Mon, 13 Feb, 2012 06:28:00 UTC", (2012, 2, 13, 6, 28, 0)),  # extraneous comma
    ("Thu, 01 Jan 2004 00:00 GMT", (2004, 1, 1, 0, 0, 0)),  # no seconds
    ("Mon, 26 January 2004 16:31:00 AT", (2004, 1, 26, 20, 31, 0)),  # long month names, region zones
    ("Mon, 26 January 2004 16:31:00 ET", (2004, 1, 26, 21, 31, 0)),
    ("Mon, 26 January 2004 16:31:00 CT", (2004, 1, 26, 22, 31, 0)),
    ("Mon, 26 January 2004 16:31:00 MT", (2004, 1, 26, 23, 31, 0)),
    ("Mon, 26 January 2004 16:31:00 PT", (2004, 1, 27, 0, 31, 0)),
    ("Thu Aug 30 2012 17:26:16 +0200", (2012, 8, 30, 15, 26, 16)),  # swapped month and day
    ("Fri,24 Nov 2023 18:28:36 -0000", (2023, 11, 24, 18, 28, 36)),  # comma without space
    ("Sun Jul 15 01:16:00 +0000 2012", (2012, 7, 15, 1, 16, 0)),  # asctime with a zone
    ("2003-12-31T10:14:55Z", (2003, 12, 31, 10, 14, 55)),  # W3C-DTF
    ("2003-12-31T10:14:55-08:00", (2003, 12, 31, 18, 14, 55)),
    ("2003-12-31T18:14:55+08:00", (2003, 12, 31, 10, 14, 55)),
    ("2007-04-23T23:25:47.538+10:00", (2007, 4, 23, 13, 25, 47)),
    ("2004-02-28T18:14:55-08:00", (2004, 2, 29, 2, 14, 55)),  # rollovers in leap years
    ("2003-02-28T18:14:55-08:00", (2003, 3, 1, 2, 14, 55)),
    ("2000-02-28T18:14:55-08:00", (2000, 2, 29, 2, 14, 55)),
    ("2004-07-08 23:56:58 -00:20", (2004, 7, 9, 0, 16, 58)),  # MSSQL with a zone
]

# (form, feedparser's expected value) for forms that write no zone: feedparser reads them as UTC
NAIVE_FORMS = [
    ("031231", (2003, 12, 31, 0, 0, 0)),  # ISO 8601 2-digit year, no hyphens
    ("03-12-31", (2003, 12, 31, 0, 0, 0)),
    ("03335", (2003, 12, 1, 0, 0, 0)),  # 2-digit year and day of the year
    ("Thu, 01 Jan 2004", (2004, 1, 1, 0, 0, 0)),  # RFC 822 without a time
    ("Sun Jan  4 16:29:06 2004", (2004, 1, 4, 16, 29, 6)),  # asctime
    ("2003-12-31", (2003, 12, 31, 0, 0, 0)),
    ("2004-07-08 23:56:58", (2004, 7, 8, 23, 56, 58)),  # MSSQL
    ("2004-07-08 23:56:58.0", (2004, 7, 8, 23, 56, 58)),
]

# Korean portal forms: feedparser reads them in KST, ingot in the site's zone (Korean sites: Asia/Seoul)
# (form, feedparser's expected value, the wall clock written)
KOREAN_FORMS = [
    ("2004-05-25 \uc624\ud6c4 11:23:17", (2004, 5, 25, 14, 23, 17), (2004, 5, 25, 23, 23, 17)),  # Nate: 오후 = PM
    ("2004\ub144 05\uc6d4 28\uc77c  01:31:15", (2004, 5, 27, 16, 31, 15), (2004, 5, 28, 1, 31, 15)),  # OnBlog
]

# Forms naming only a month or a year (feedparser: the period's first moment), read as its last moment
REDUCED_FORMS = [
    ("2003-12", (2003, 12, 1, 0, 0, 0), (2003, 12, 31, 23, 59, 59)),  # W3C-DTF year and month
    ("2003", (2003, 1, 1, 0, 0, 0), (2003, 12, 31, 23, 59, 59)),  # W3C-DTF year
    ("-0312", (2003, 12, 1, 0, 0, 0), (2003, 12, 31, 23, 59, 59)),  # ISO 8601 2-digit year and month
    ("-03-12", (2003, 12, 1, 0, 0, 0), (2003, 12, 31, 23, 59, 59)),
]

# Forms feedparser rejects. "22013" is left out: it is invalid W3C-DTF but valid ISO 8601 year + day of year, the
# same shape as the valid "03335".
INVALID_FORMS = [
    "Sun, 16 Dec 2012 1:2:3:4 GMT", "Sun, 16 zzz 2012 11:47:32 GMT", "Sun, Dec x 2012 11:47:32 GMT",
    "Sun, 16 Dec zz 11:47:32 GMT", "Sun, 16 Dec 2012 11:47:32 +zz:00", "Sun, 16 Dec 2012 11:47:32 +00:zz",
    "Sun, 99 Jun 2009 12:00:00 GMT", "9999-12-31T23:59:59-99:99", "2003-12-31T25:14:55Z", "2003-12-31T10:61:55Z",
    "2003-12-31T10:14:61Z", "013", "2013-01-27-01", "2013-01-28T11:30:00-06:00Textra", "2013-xx-27",
    "2013-01-28T09:xx:00Z", "2013-01-28T09:00:00+00:xx", "Sun, 31 Dec 9999 23:59:59 -9999", "", "   ",
]


def utc_fields(value: datetime) -> tuple:
    return value.astimezone(UTC).timetuple()[:6]


def test_every_valid_form_of_feedparsers_date_tests_is_covered():
    assert len(ZONED_FORMS) + len(NAIVE_FORMS) + len(KOREAN_FORMS) + len(REDUCED_FORMS) == 46


@pytest.mark.parametrize(("form", "expected"), ZONED_FORMS)
def test_a_form_with_its_zone_gives_the_instant_whatever_the_site_zone(form, expected):
    for site_zone in ("UTC", "Asia/Shanghai", "America/Los_Angeles"):
        assert utc_fields(parse_feed_date(form, site_zone)) == expected, site_zone


@pytest.mark.parametrize(("form", "expected"), NAIVE_FORMS)
def test_a_form_without_a_zone_is_read_in_the_site_zone(form, expected):
    assert utc_fields(parse_feed_date(form, "UTC")) == expected
    shanghai = parse_feed_date(form, "Asia/Shanghai")
    assert shanghai.timetuple()[:6] == expected and shanghai.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(("form", "expected", "written"), KOREAN_FORMS)
def test_korean_portal_forms_are_read_in_the_site_zone(form, expected, written):
    assert utc_fields(parse_feed_date(form, "Asia/Seoul")) == expected
    assert utc_fields(parse_feed_date(form, "UTC")) == written


@pytest.mark.parametrize(("form", "first", "last"), REDUCED_FORMS)
def test_a_month_or_a_year_stands_for_its_last_moment(form, first, last):
    found = parse_feed_date(form, "Europe/Paris")
    assert found.timetuple()[:6] == last and found.tzinfo == ZoneInfo("Europe/Paris")
    assert datetime(*first) < found.replace(tzinfo=None)


def test_an_age_window_keeps_a_month_when_any_day_of_it_is_inside():
    assert is_within_days(parse_feed_date("2026-08", "UTC"), date(2026, 9, 2), 3, "UTC")  # Aug 31 counts
    assert not is_within_days(parse_feed_date("2026-08", "UTC"), date(2026, 9, 5), 3, "UTC")
    assert is_within_days(parse_feed_date("2026", "UTC"), date(2026, 12, 31), 1, "UTC")
    assert not is_within_days(parse_feed_date("2025", "UTC"), date(2026, 1, 2), 1, "UTC")


@pytest.mark.parametrize("form", INVALID_FORMS)
def test_a_broken_form_is_unreadable_not_given_a_made_up_date(form):
    assert parse_feed_date(form, "UTC") is None


@pytest.mark.parametrize(("form", "site_zone", "local_day"), [
    # written zone → the day in the site's zone; read as UTC, each would land on the other day
    ("Tue, 29 Sep 2026 00:30:00 MEST", "Europe/London", date(2026, 9, 28)),
    ("Tue, 29 Sep 2026 00:30:00 CEST", "UTC", date(2026, 9, 28)),
    ("Tue, 29 Sep 2026 00:30:00 EEST", "UTC", date(2026, 9, 28)),
    ("Tue, 29 Sep 2026 02:30:00 MSK", "UTC", date(2026, 9, 28)),
    ("Tue, 29 Sep 2026 01:00:00 JST", "UTC", date(2026, 9, 28)),
    ("Tue, 29 Sep 2026 01:00:00 KST", "UTC", date(2026, 9, 28)),
    ("Tue, 29 Sep 2026 07:00:00 AEST", "UTC", date(2026, 9, 28)),
    ("Tue, 29 Sep 2026 00:30:00 BST", "UTC", date(2026, 9, 28)),
    ("Tue, 29 Sep 2026 05:00:00 IST", "UTC", date(2026, 9, 28)),  # India
    ("Tue, 29 Sep 2026 00:30:00 IST", "Europe/Dublin", date(2026, 9, 29)),  # Irish Summer Time, the site's
    ("Mon, 28 Sep 2026 20:30:00 ET", "UTC", date(2026, 9, 29)),  # daylight time in September: EDT
    ("Mon, 28 Sep 2026 22:00:00 PT", "UTC", date(2026, 9, 29)),
    ("Mon, 28 Sep 2026 19:30:00 EDT", "UTC", date(2026, 9, 28)),
    ("Mon, 28 Sep 2026 23:30:00 CST", "Asia/Shanghai", date(2026, 9, 28)),  # China Standard Time
    ("Mon, 28 Sep 2026 23:30:00 CST", "America/Chicago", date(2026, 9, 29)),  # US Central
    ("Mon, 28 Sep 2026 23:30:00 CST", "UTC", date(2026, 9, 29)),  # US Central, as RFC 822 defines it
    ("2026-09-28 23:30:00 HKT", "UTC", date(2026, 9, 28)),
    ("2026-09-29T01:00:00 SGT", "UTC", date(2026, 9, 28)),
    # a zone nobody can place is the site's, not UTC
    ("Tue, 29 Sep 2026 01:00:00 QQT", "America/New_York", date(2026, 9, 29)),
    ("Tue, 29 Sep 2026 01:00:00 A", "America/New_York", date(2026, 9, 29)),  # military letter: no zone
    ("Tue, 29 Sep 2026 01:00:00 Mars/Olympus", "America/New_York", date(2026, 9, 29)),
    ("Tue, 29 Sep 2026 01:00:00 Europe/Berlin", "UTC", date(2026, 9, 28)),
])
def test_zone_names_near_midnight_land_on_the_right_day(form, site_zone, local_day):
    found = parse_feed_date(form, site_zone)
    assert found.astimezone(ZoneInfo(site_zone)).date() == local_day
    before, after = local_day - timedelta(days=1), local_day + timedelta(days=1)
    assert is_within_days(found, local_day, 1, site_zone) and not is_within_days(found, after, 1, site_zone)
    assert is_within_days(found, before, 1, site_zone)  # a date after the crawl day is kept (clocks drift)


def test_the_site_zone_name_wins_over_the_table_and_keeps_the_written_offset():
    assert parse_feed_date("Mon, 28 Sep 2026 23:30:00 CST", "Asia/Shanghai").utcoffset() == timedelta(hours=8)
    assert parse_feed_date("Mon, 28 Sep 2026 23:30:00 CST", "UTC").utcoffset() == timedelta(hours=-6)
    assert parse_feed_date("Thu, 15 Jan 2026 12:00:00 PT", "UTC").utcoffset() == timedelta(hours=-8)  # PST
    assert parse_feed_date("2026-09-28T11:05:00+0300", "UTC").utcoffset() == timedelta(hours=3)
    assert parse_feed_date("Tue, 1 Jul 2003 10:52:37 +0200 (CEST)", "UTC") == datetime(
        2003, 7, 1, 8, 52, 37, tzinfo=UTC)


@pytest.mark.parametrize(("form", "expected"), [
    ("Sep 28, 2026 10:30 PM", datetime(2026, 9, 28, 22, 30)),
    ("Sep 28, 2026 12:05 am", datetime(2026, 9, 28, 0, 5)),
    ("2026-09-28 下午 3:05", datetime(2026, 9, 28, 15, 5)),
    ("2026年9月28日 08:15", datetime(2026, 9, 28, 8, 15)),
    ("2026년 9월 28일 오후 11:30", datetime(2026, 9, 28, 23, 30)),
    ("Monday, 28 September 2026", datetime(2026, 9, 28)),
    ("Sep 28, 2026", datetime(2026, 9, 28)),
    ("2026.09.28 10:53", datetime(2026, 9, 28, 10, 53)),
])
def test_twelve_hour_cjk_and_site_feed_forms(form, expected):
    assert parse_feed_date(form, "Asia/Seoul") == expected.replace(tzinfo=ZoneInfo("Asia/Seoul"))


def test_list_dates_in_korean_and_a_bare_time_of_today():
    day = date(2026, 9, 28)
    seoul = ZoneInfo("Asia/Seoul")
    assert parse_list_date("2026년 09월 27일 14:05:09", day, "Asia/Seoul") == datetime(2026, 9, 27, 14, 5, 9,
                                                                                     tzinfo=seoul)
    assert parse_list_date("9월 27일", day, "Asia/Seoul") == datetime(2026, 9, 27, tzinfo=seoul)
    assert parse_list_date("16:37", day, "Asia/Seoul") == datetime(2026, 9, 28, 16, 37, tzinfo=seoul)
    assert parse_list_date("Mon, 28 Sep 2026 23:30:00 MEST", day, "UTC").date() == date(2026, 9, 28)
    assert parse_list_date("[2026-09-25]Steel output rises", day, "UTC").date() == date(2026, 9, 25)
    assert parse_list_date("25:99", day, "UTC") is None


@pytest.mark.parametrize(("form", "expected"), [
    ("2小时前", datetime(2026, 9, 28, 7, 0)),
    ("1小時前", datetime(2026, 9, 28, 8, 0)),
    ("昨天 12:30", datetime(2026, 9, 27, 12, 30)),
    ("3天前", datetime(2026, 9, 25, 9, 0)),
    ("2 hours ago", datetime(2026, 9, 28, 7, 0)),
    ("Yesterday, 14:05", datetime(2026, 9, 27, 14, 5)),
    ("il y a 3 heures", datetime(2026, 9, 28, 6, 0)),
    ("hier 18:30", datetime(2026, 9, 27, 18, 30)),
    ("3 ชั่วโมงที่แล้ว", datetime(2026, 9, 28, 6, 0)),
    ("2 วันที่แล้ว", datetime(2026, 9, 26, 9, 0)),
])
def test_relative_list_dates_count_back_from_when_the_listing_was_fetched(form, expected):
    fetched = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    shanghai = ZoneInfo("Asia/Shanghai")
    assert parse_list_date(form, date(2026, 9, 28), "Asia/Shanghai", fetched_at=fetched) == expected.replace(
        tzinfo=shanghai)
    # a backfill reading the same listing later: the fetch, not the crawl day, is what "ago" counts from
    later = parse_list_date(form, date(2026, 9, 20), "Asia/Shanghai", fetched_at=fetched + timedelta(days=1))
    assert later == expected.replace(tzinfo=shanghai) + timedelta(days=1)
    assert parse_list_date(form, date(2026, 9, 28), "Asia/Shanghai") is None  # no fetch time: not read


@pytest.mark.parametrize("form", ["sometime last week", "late September", "今日要闻", "recently", "前几天"])
def test_vague_relative_phrases_stay_unread(form):
    fetched = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)
    assert parse_list_date(form, date(2026, 9, 28), "Asia/Shanghai", fetched_at=fetched) is None
