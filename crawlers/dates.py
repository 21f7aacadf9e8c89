"""Pure date parsing for discovery: feed dates, sitemap dates and the short dates printed on listing pages.

These dates only decide what to fetch (age windows, Google-News sitemap filtering); the article's own date is
the extractor's business.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

# Non-standard feed/list shapes seen on the configured sites, tried after RFC 822 and ISO 8601.
DATE_FORMATS = (
    "%H:%M:%S %b %d, %Y",  # SMM rss.metal.com pubDate: "13:54:00 Jan 21, 2026", Beijing time
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d.%m.%Y",  # ISIT list prefix "10.06.2026", day first
    "%d %b %Y",  # Kallanish list "5 Apr 2026"
    "%d %B %Y",  # ISIT article "14 September 2023"
    "%b %d, %Y %H:%M",  # SMM announcements "Jun 01, 2026 10:53"
    "%B %d, %Y",
)
CJK_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2}):(\d{2}))?")
LEADING_DATE = re.compile(r"^\s*\[?(\d{1,4}[-./]\d{1,2}[-./]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?)\]?")


def parse_feed_date(raw: str | None, timezone: str) -> datetime | None:
    """An aware datetime from a feed or sitemap date; naive shapes are read in the site's time zone."""
    if not raw or not raw.strip():
        return None
    text = " ".join(raw.split())
    zone = ZoneInfo(timezone)
    try:
        parsed = parsedate_to_datetime(text)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    return None


def parse_list_date(raw: str | None, day: date, timezone: str) -> datetime | None:
    """A date printed beside a link on a listing page: ``[2024-01-05]``, ``10.06.2026`` glued to a title,
    ``2026-08-17 16:37``, ``5 Apr 2026`` or the year-less ``4月16日`` (year taken from the crawl day, one year
    back when that would put the date after the crawl day)."""
    if not raw or not raw.strip():
        return None
    text = " ".join(raw.split())
    cjk = CJK_DATE.search(text)
    if cjk:
        year, month, dom, hour, minute = cjk.groups()
        year_value = int(year) if year else day.year
        try:
            found = datetime(year_value, int(month), int(dom), int(hour or 0), int(minute or 0),
                             tzinfo=ZoneInfo(timezone))
        except ValueError:
            return None
        if not year and found.date() > day:
            found = found.replace(year=year_value - 1)
        return found
    leading = LEADING_DATE.match(text)
    if leading:
        return parse_feed_date(leading.group(1).replace("/", "-"), timezone)
    return parse_feed_date(text, timezone)


def is_within_days(published: datetime | None, day: date, days: int | None, timezone: str) -> bool:
    """True when ``published`` falls in the ``days`` calendar days ending with ``day`` (site time); an unknown
    date or no window keeps the entry. Dates after the crawl day are kept too: clocks and time zones drift."""
    if published is None or days is None:
        return True
    local = published.astimezone(ZoneInfo(timezone)).date()
    return local >= day - timedelta(days=days - 1) if days > 0 else True
