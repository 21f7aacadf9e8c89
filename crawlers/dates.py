"""Pure date parsing for discovery: feed dates, sitemap dates and the short dates printed on listing pages.

These dates only decide what to fetch (age windows, Google-News sitemap filtering); the article's own date is
the extractor's business.

One string is read in two steps. First the time zone written after the time of day is taken off: a numeric
offset (``+08:00``, ``-0500``, ``GMT-01:01``, ``Z``), an IANA name (``Etc/GMT``, ``Europe/Berlin``) or an
abbreviation (``MEST``, ``PT``, ``CST``; see ``ZONE_ABBREVIATIONS``). Then the rest, a wall-clock time, is read by
feedparser's date handlers (W3C-DTF, ISO 8601 templates, RFC 822, asctime, Greek, Hungarian), ingot's own
``DATE_FORMATS`` and the CJK ``年月日``/``년월일`` forms. The zone is put back last, so a form no handler knows a zone
for still gets the one it wrote, and a form that writes no zone (or an abbreviation nobody can place) is read in
the site's time zone, never silently as UTC.

feedparser's ``_parse_date`` is not called as a whole: its ISO 8601 handler fills what a string leaves out from
the machine's clock (``2013-xx-27`` becomes December 1st in December) and its Korean handlers fix the zone at
KST; here the ISO templates must match the whole string and carry a year, and Korean forms, like every form
without a zone, are in the site's zone.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone as fixed_zone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feedparser.datetimes import (_parse_date_asctime, _parse_date_greek, _parse_date_hungarian,
                                  _parse_date_rfc822, _parse_date_w3dtf)
from feedparser.datetimes.iso8601 import _iso8601_re

from extract.dates import relative_date

# Non-standard feed/list shapes seen on the configured sites, tried after feedparser's handlers.
DATE_FORMATS = (
    "%H:%M:%S %b %d, %Y",  # SMM rss.metal.com pubDate: "13:54:00 Jan 21, 2026", Beijing time
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",  # Perforce feeds: "Fri, 2006/09/15 08:19:53 EDT" (weekday and zone taken off first)
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d.%m.%Y",  # ISIT list prefix "10.06.2026", day first
    "%d %b %Y",  # Kallanish list "5 Apr 2026"
    "%d %B %Y",  # ISIT article "14 September 2023"
    "%b %d, %Y %H:%M",  # SMM announcements "Jun 01, 2026 10:53"
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y.%m.%d %H:%M",  # Korean and Japanese lists: "2026.09.28 10:53"
    "%Y.%m.%d",
)

# Zone abbreviations as hours east of UTC, for the names a feed writes after the time. The site's own zone
# goes first: "CST" on a site in Asia/Shanghai is China Standard Time, "IST" in Europe/Dublin Irish Summer
# Time (see ``_zone_named``). Without that, an ambiguous name takes its most common reading in feeds: CST/CDT
# US Central (as RFC 822 defines it), IST India, BST British Summer Time, AST Atlantic. The single military
# letters (other than Z) are unknown: RFC 822 gave them the wrong sign and RFC 5322 says to treat them as
# "no zone".
ZONE_ABBREVIATIONS = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5,
    "CET": 1, "CEST": 2, "MET": 1, "MEST": 2, "MEZ": 1, "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "WAT": 1, "CAT": 2, "SAST": 2, "EAT": 3, "GST": 4, "PKT": 5, "ICT": 7, "WIB": 7,
    "HKT": 8, "SGT": 8, "MYT": 8, "PHT": 8, "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5, "ACDT": 10.5,
    "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "NST": -3.5, "NDT": -2.5, "AST": -4, "ADT": -3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
}
# Names without a season: standard or daylight time as the date falls in the region's own zone.
GENERIC_ZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
                 "PT": "America/Los_Angeles", "AT": "America/Halifax"}

CJK_DATE = re.compile(r"(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일号號]"
                      r"(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
LEADING_DATE = re.compile(r"^\s*\[?(\d{1,4}[-./]\d{1,2}[-./]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?)\]?")
TIME_ONLY = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")

_ISO_FAST = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_ISO_TEMPLATES = tuple(re.compile(pattern) for pattern in _iso8601_re if "(?P<year>" in pattern)
_ZONE_AFTER_TIME = re.compile(
    r"(?P<time>\d:\d{2}(?::\d{2})?(?:[.,]\d+)?)(?P<gap>\s*)"
    r"(?P<zone>[+-][^\s()]+|(?:GMT|UTC|UT)(?:[+-][^\s()]+)?|[A-Za-z]+(?:/[A-Za-z0-9_+-]+)+|[A-Za-z]{1,5})"
    r"(?P<tail>\s+\d{4}|\s*\([^)]*\))?$", re.I)
_NUMERIC_OFFSET = re.compile(r"(?:GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?", re.I)
_MERIDIEM_AFTER = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(:\d{2})?\s*([AaPp])\.?[Mm]\b\.?")
_MERIDIEM_BEFORE = re.compile(r"(上午|下午|오전|오후|(?<![A-Za-z])[AaPp][Mm])\s*(\d{1,2}):(\d{2})")
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*", re.I)
_COMMA_GLUED = re.compile(r",(?=\S)")
_AFTERNOON = {"下午", "오후", "p"}
_INVALID = object()  # a zone was written but cannot be read: the whole date is unreadable


def parse_feed_date(raw: str | None, timezone: str) -> datetime | None:
    """An aware datetime from a feed or sitemap date; a date that writes no zone is read in the site's zone.

    A date that names only a month or a year (W3C-DTF ``2003-12``, ``2003``, which sitemaps allow) stands for
    the last moment of that period: an age window keeps it when any day of the period is inside the window.
    """
    if not raw or not raw.strip():
        return None
    text = " ".join(raw.split())
    site = ZoneInfo(timezone)
    if _ISO_FAST.fullmatch(text):  # the common sitemap and Atom shape, read without the general machinery
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:  # "T25:14:55": no other reader takes it either
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=site)
    bare, marked, token = _split_zone(_in_24_hours(text))
    if token is _INVALID:
        return None
    wall = _wall_clock(bare, marked)
    if wall is None:
        return None
    wall = _end_of_period(bare, wall)
    zone = _zone_named(token, wall, site) if token else site
    try:
        found = wall.replace(tzinfo=zone)
        found.astimezone(fixed_zone.utc)  # years 1 and 9999 may not survive the offset
    except (OverflowError, ValueError):
        return None
    return found


def parse_list_date(raw: str | None, day: date, timezone: str, *, fetched_at: datetime | None = None
                    ) -> datetime | None:
    """A date printed beside a link on a listing page: ``[2024-01-05]``, ``10.06.2026`` glued to a title,
    ``2026-08-17 16:37``, ``5 Apr 2026``, the year-less ``4月16日`` (year taken from the crawl day, one year
    back when that would put the date after the crawl day), a bare ``16:37`` (today's items: the crawl day),
    any form ``parse_feed_date`` reads, or, given the moment the listing was fetched, an explicit relative date
    (``3小时前``, ``昨天 12:30``, ``2 hours ago``: the extractor's ``extract.dates.relative_date``)."""
    if not raw or not raw.strip():
        return None
    text = _in_24_hours(" ".join(raw.split()))
    zone = ZoneInfo(timezone)
    if fetched_at is not None:
        relative = relative_date(text, fetched_at.astimezone(zone))
        if relative is not None:
            return relative
    cjk = CJK_DATE.search(text)
    if cjk:
        year = cjk.group(1)
        found = _cjk_datetime(cjk, int(year) if year else day.year)
        if found and not year and found.date() > day:
            found = _cjk_datetime(cjk, day.year - 1)
        return found.replace(tzinfo=zone) if found else None
    time_only = TIME_ONLY.fullmatch(text)
    if time_only:
        hour, minute, second = (int(part or 0) for part in time_only.groups())
        if hour < 24 and minute < 60 and second < 60:
            return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)
        return None
    found = parse_feed_date(text, timezone)
    if found is None:
        leading = LEADING_DATE.match(text)
        if leading:
            found = parse_feed_date(leading.group(1).replace("/", "-"), timezone)
    return found


def is_within_days(published: datetime | None, day: date, days: int | None, timezone: str) -> bool:
    """True when ``published`` falls in the ``days`` calendar days ending with ``day`` (site time); an unknown
    date or no window keeps the entry. Dates after the crawl day are kept too: clocks and time zones drift."""
    if published is None or days is None:
        return True
    local = published.astimezone(ZoneInfo(timezone)).date()
    return local >= day - timedelta(days=days - 1) if days > 0 else True


# -- reading the zone --------------------------------------------------------------------------------------------

def _split_zone(text: str):
    """``(bare, marked, token)``: the text without the zone written after its time, the text with that zone
    replaced by ``+00:00`` (for handlers that insist on a zone), and what the zone was: a tzinfo for offsets and
    IANA names, an abbreviation as written, ``_INVALID``, or None when no zone is written."""
    found = _ZONE_AFTER_TIME.search(text)
    if not found or found["zone"].lower() in ("am", "pm"):
        return text, text, None
    written = found["zone"]
    tail = found["tail"] or ""
    if tail.strip().startswith("("):  # "+0200 (CEST)": the comment only names the offset
        tail = ""
    head = text[:found.start("gap")]
    bare = head + tail
    marked = head + found["gap"] + "+00:00" + tail
    numeric = _NUMERIC_OFFSET.fullmatch(written)
    if numeric:
        sign, hours, minutes = numeric.groups()
        hours, minutes = int(hours), int(minutes or 0)
        if hours > 23 or minutes > 59:
            return bare, marked, _INVALID
        offset = timedelta(hours=hours, minutes=minutes)
        return bare, marked, fixed_zone(-offset if sign == "-" else offset)
    if written[0] in "+-" or written.upper().startswith(("GMT+", "GMT-", "UTC+", "UTC-")):
        return bare, marked, _INVALID  # "+zz:00", "-06:00Textra"
    if "/" in written:
        try:
            return bare, marked, ZoneInfo(written)
        except (ZoneInfoNotFoundError, ValueError):
            return bare, marked, "?"  # a region name nobody knows: the site's zone
    return bare, marked, written.upper()


def _zone_named(token, wall: datetime, site: ZoneInfo) -> tzinfo:
    """The zone a written token stands for at ``wall``; an abbreviation nobody can place is the site's zone."""
    if isinstance(token, tzinfo):
        return token
    for probe in (wall, wall.replace(month=1, day=1), wall.replace(month=7, day=1)):
        if site.tzname(probe) == token:  # the site's own zone goes by this name
            return fixed_zone(site.utcoffset(probe))
    if token in GENERIC_ZONES:
        return ZoneInfo(GENERIC_ZONES[token])
    if token in ZONE_ABBREVIATIONS:
        return fixed_zone(timedelta(hours=ZONE_ABBREVIATIONS[token]))
    return site


# -- reading the wall clock --------------------------------------------------------------------------------------

def _wall_clock(bare: str, marked: str) -> datetime | None:
    """The naive date and time a zone-less string writes, by the first reader that takes all of it."""
    return (_iso_template(bare) or _feedparser(_parse_date_w3dtf, bare) or _rfc822(bare)
            or _feedparser(_parse_date_asctime, bare) or _ingot_format(bare) or _cjk_with_year(bare)
            or _feedparser(_parse_date_greek, marked) or _feedparser(_parse_date_hungarian, marked))


def _feedparser(handler, text: str) -> datetime | None:
    """A feedparser handler's reading as a naive datetime: the zone is already off, so its UTC is the wall."""
    try:
        parsed = handler(text)
    except (KeyError, OverflowError, ValueError, AttributeError, IndexError, TypeError):
        return None
    return datetime(*parsed[:6]) if parsed else None


def _rfc822(text: str) -> datetime | None:
    text = _COMMA_GLUED.sub(", ", text)  # "Fri,24 Nov 2023"
    # feedparser's RFC 822 handler wants a zone after a weekday and time: give it UTC, the zone is already off
    return _feedparser(_parse_date_rfc822, text + " +0000") or _feedparser(_parse_date_rfc822, text)


def _iso_template(text: str) -> datetime | None:
    """feedparser's ISO 8601 templates (``031231``, ``03335``, Google's ``2003-012-31``...), matched in full and
    only with a year: a part left out is January or the 1st, never today's. Two-digit years are 20xx."""
    if not text[:1].isdigit() and not text.startswith("-"):
        return None
    for template in _ISO_TEMPLATES:
        found = template.fullmatch(text)
        if not found:
            continue
        parts = found.groupdict()
        year = int(parts["year"]) + (2000 if len(parts["year"]) == 2 else 0)
        try:
            if parts.get("ordinal"):
                ordinal = int(parts["ordinal"])
                day = date(year, 1, 1) + timedelta(days=ordinal - 1)
                if not 1 <= ordinal or day.year != year:
                    return None
            elif parts.get("day") and not parts.get("month"):
                return None  # a day without its month
            else:
                day = date(year, int(parts.get("month") or 1), int(parts.get("day") or 1))
            return datetime(day.year, day.month, day.day, int(parts["hour"] or 0), int(parts["minute"] or 0),
                            int(parts["second"] or 0))
        except ValueError:
            return None
    return None


def _end_of_period(bare: str, wall: datetime) -> datetime:
    """The last moment of the month or year a reduced-precision ISO date (``2003-12``, ``2003``) names."""
    if len(bare) > 7:  # longer ISO forms carry a day
        return wall
    for template in _ISO_TEMPLATES:
        found = template.fullmatch(bare)
        if found:
            parts = found.groupdict()
            if parts.get("day") or parts.get("ordinal") or parts.get("hour"):
                return wall
            month = int(parts["month"]) if parts.get("month") else 12
            last = calendar.monthrange(wall.year, month)[1]
            return wall.replace(month=month, day=last, hour=23, minute=59, second=59)
    return wall


def _ingot_format(text: str) -> datetime | None:
    text = _WEEKDAY.sub("", text)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _cjk_with_year(text: str) -> datetime | None:
    found = CJK_DATE.fullmatch(text)
    return _cjk_datetime(found, int(found.group(1))) if found and found.group(1) else None


def _cjk_datetime(found: re.Match, year: int) -> datetime | None:
    _, month, day, hour, minute, second = found.groups()
    try:
        return datetime(year, int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None


def _in_24_hours(text: str) -> str:
    """``10:30 PM``, ``下午3:05`` and ``오후 11:23:17`` as 24-hour times."""
    return _MERIDIEM_BEFORE.sub(_from_meridiem_before, _MERIDIEM_AFTER.sub(_from_meridiem_after, text))


def _from_meridiem_after(found: re.Match) -> str:
    return _twenty_four(found.group(1), found.group(2), found.group(3) or "", found.group(4).lower() == "p")


def _from_meridiem_before(found: re.Match) -> str:
    marker = found.group(1)
    return _twenty_four(found.group(2), found.group(3), "", marker in _AFTERNOON or marker.lower() == "pm")


def _twenty_four(hour: str, minute: str, seconds: str, afternoon: bool) -> str:
    """``11:23`` after 午後/PM as ``23:23``; an hour that is not 1-12 is left as written."""
    value = int(hour)
    if 1 <= value <= 12:
        value = value % 12 + (12 if afternoon else 0)
    return f"{value:02d}:{minute}{seconds}"
