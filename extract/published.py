"""The publication date of a page, weighed from every source it offers.

`find_published` weighs ingot's own candidates (JSON-LD, meta, <time datetime>, the date under the headline,
date-ish markup, the URL; each read by `extract.dates.parse_date_text`) with htmldate's reading of the page.
Body text is searched only by htmldate, and only when nothing else gives a date: a date deep in the body is
more often a dateline or a signature than the publication date.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from datetime import timezone as fixed_zone  # `timezone` is a parameter name here
from itertools import islice

from .dates import FoundDate, as_zone, parse_date_text
from .page import Page, text_content

_META_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished",
    "publish", "pubdate", "publishdate", "publish_date", "publish-date", "publishtime", "pubtime",
    "article.published", "article_date_original", "dc.date.issued", "dcterms.issued", "dc.date",
    "dcterms.created", "dcterms.date", "date", "sailthru.date", "parsely-pub-date", "citation_publication_date",
    "release_date", "og:release_date", "cxenseparse:recs:publishtime",
)
_DATE_HINT = re.compile(r"(?:^|[\s_-])(?:date|time|pubtime|pub-?date|publish\w*|post-?date|entry-date|"
                        r"timestamp|datetime|m-con-time|article-?time|info-?time)(?:$|[\s_-])", re.I)
_URL_DATES = [
    re.compile(r"/(?P<year>(?:19|20)\d{2})[-/_]?(?P<month>[01]\d)[-/_]?(?P<day>[0-3]\d)(?:/|[-_][^\d])"),
    re.compile(r"/(?P<year>(?:19|20)\d{2})-(?P<month>[01]\d)/(?P<day>[0-3]\d)/"),
    re.compile(r"/a/(?P<yy>\d{2})(?P<month>[01]\d)(?P<day>[0-3]\d)(?P<hour>[0-2]\d)/"),  # Mysteel YYMMDDHH
]


def _url_date(url: str, tz, now: datetime) -> FoundDate | None:
    for pattern in _URL_DATES:
        match = pattern.search(url)
        if not match:
            continue
        groups = match.groupdict()
        year = int(groups["year"]) if groups.get("year") else 2000 + int(groups["yy"])
        try:
            value = datetime(year, int(groups["month"]), int(groups["day"]), int(groups.get("hour") or 0), tzinfo=tz)
        except ValueError:
            continue
        if 1990 <= value.year and value <= now + timedelta(days=1):
            return FoundDate(value, match.group(0), "url")
    return None


MAX_CANDIDATES = 12  # ingot's own date candidates read per page: enough to confirm one, bounded on date-heavy pages


def find_published(page: Page, *, fetched_at: datetime, timezone="UTC", date_selector: str | None = None,
                   formats=(), headline: str | None = None) -> FoundDate | None:
    """The page's publication date (see `weigh_dates`), on the publisher's own calendar day: a time written in
    UTC is expressed in the page's time zone when that is known, else in a zone that puts it on the local day
    the page's URL or the date under its headline show (see `on_local_day`)."""
    found = weigh_dates(page, fetched_at=fetched_at, timezone=timezone, date_selector=date_selector,
                        formats=formats, headline=headline)
    if found is None or found.value.utcoffset() != timedelta(0) or not _WRITTEN_UTC.search(found.raw):
        return found
    tz = as_zone(timezone)
    local = found.value.astimezone(tz)
    if local.utcoffset() != timedelta(0):
        return FoundDate(local, found.raw, f"{found.rule}+local-zone")
    return on_local_day(found, page, fetched_at.astimezone(tz), headline, formats)


_WRITTEN_UTC = re.compile(r"(?:\d)Z\b|\bGMT\b|\bUTC\b|[+-]00:?00\b|\bZ$")
_OFFSETS = sorted(range(-12, 15), key=abs)  # whole-hour offsets in use, nearest to UTC first


def on_local_day(found: FoundDate, page: Page, now: datetime, headline: str | None, formats) -> FoundDate:
    """A UTC time on a page whose zone is unknown, re-expressed in the whole-hour offset nearest to UTC that puts
    it on the day the page shows its readers (its URL's date, or the date under its headline), when that day is
    the UTC day's neighbour. The instant is unchanged; only the calendar day it is read on moves. Without such a
    local day, or when it is farther off (a different date, not a zone), the UTC reading stands."""
    shown = _url_date(page.url, now.tzinfo, now)
    for raw in page.blocks_after_headline(headline) if shown is None else ():
        value = parse_date_text(raw, fetched_at=now, timezone=now.tzinfo, formats=formats, use_dateparser=False)
        if value:
            shown = FoundDate(value, raw, "text:near-headline")
            break
    if shown is None or abs((shown.value.date() - found.value.date()).days) != 1:
        return found
    for hours in _OFFSETS:
        moved = found.value.astimezone(fixed_zone(timedelta(hours=hours)))
        if moved.date() == shown.value.date():
            return FoundDate(moved, found.raw, f"{found.rule}+local-day:{shown.rule}")
    return found


def weigh_dates(page: Page, *, fetched_at: datetime, timezone="UTC", date_selector: str | None = None,
                formats=(), headline: str | None = None) -> FoundDate | None:
    """The page's publication date with its raw string and the rule that found it, or None.

    A site's date selector is believed outright. Otherwise the evidence is weighed, in this order:
    1. a date shown right after the headline that another of ingot's sources confirms (JSON-LD, meta, markup,
       URL): what the page shows its readers, and not a stray date; else a JSON-LD or meta date that another
       source confirms (htmldate, which reads the same markup, is not asked);
    2. htmldate's original publication date from the page's markup (trafilatura's date finder: published
       before modified), given by the headline's date or the first of ingot's candidates on that day when one
       is, since they carry the time, zone and raw string (rule "jsonld+htmldate"...), else as a day ("htmldate");
    3. htmldate's date from the page's text when one of ingot's candidates falls on it;
    4. ingot's first candidate (`date_candidates`, in order of trust);
    5. htmldate's date from the page's text alone (rule "htmldate:page-text"), unless it is a year-only guess
       from a copyright line (1 January with nothing else on that day).
    """
    tz = as_zone(timezone)

    def parse(raw, **kw):
        return parse_date_text(raw, fetched_at=fetched_at, timezone=tz, formats=formats, **kw)

    if date_selector:
        for el in page.select(date_selector):
            raw = (el.get("datetime") or el.get("content") or page.text_of(el)).strip()
            value = parse(raw, allow_yearless=True)
            if value:
                return FoundDate(value, raw, "site:date_selector")
    now = fetched_at.astimezone(tz)
    candidates = list(islice(date_candidates(page, parse, headline), MAX_CANDIDATES))
    agreed = _agreed(candidates)  # the page's own dates agree: the costlier searches are not needed
    if agreed:
        return agreed
    candidates += islice(markup_and_url_candidates(page, parse, now), MAX_CANDIDATES - len(candidates))
    agreed = _agreed(candidates)
    if agreed:
        return agreed
    near = next((c for c in candidates if c.rule == "text:near-headline"), None)
    in_markup = htmldate_day(page, fetched_at, extensive=False)
    if in_markup:
        return _on_day(in_markup, near, candidates, tz, "htmldate")
    in_text = htmldate_day(page, fetched_at, extensive=True)  # the costly search, only when the markup has none
    if in_text and (near and _day(near) == in_text or any(_day(c) == in_text for c in candidates)):
        return _on_day(in_text, near, candidates, tz, "htmldate:page-text")
    if candidates:
        return candidates[0]
    if in_text and not in_text.endswith("-01-01"):
        return FoundDate(_midnight(in_text, tz), in_text, "htmldate:page-text")
    return None


def _agreed(candidates: list[FoundDate]) -> FoundDate | None:
    """The headline's date, else a JSON-LD or meta date, when another of the candidates falls on its day."""
    near = next((c for c in candidates if c.rule == "text:near-headline"), None)
    if near and any(_day(c) == _day(near) for c in candidates if c is not near):
        return _confirmed([near] + [c for c in candidates if c is not near and _day(c) == _day(near)], "confirmed")
    first = candidates[0] if candidates else None
    if first and first.rule.startswith(("jsonld", "meta:")) and any(_day(c) == _day(first) for c in candidates[1:]):
        return _confirmed([c for c in candidates if _day(c) == _day(first)], "confirmed")
    return None


def _on_day(day: str, near: FoundDate | None, candidates: list[FoundDate], tz, rule: str) -> FoundDate:
    """The date htmldate found on `day`, as the headline's date or the first of ingot's candidates on that day
    when one is (they give the time, the zone and the raw string), else as htmldate's day itself."""
    if near and _day(near) == day:
        return _confirmed([near], "confirmed")
    same_day = [c for c in candidates if _day(c) == day]
    if same_day:
        return _confirmed(same_day, rule)
    return FoundDate(_midnight(day, tz), day, rule)


def _confirmed(same_day: list[FoundDate], by: str) -> FoundDate:
    """The first of candidates agreeing on a day, or the first of them that gives a time of day when it does not
    ("28.09.2026" under the headline, "2026-09-28T11:05:00+03:00" in JSON-LD)."""
    best = same_day[0]
    if best.value.timetz().replace(tzinfo=None) == datetime.min.time():
        best = next((c for c in same_day if c.value.timetz().replace(tzinfo=None) != datetime.min.time()), best)
    return FoundDate(best.value, best.raw, f"{best.rule}+{by}")


def _day(found: FoundDate) -> str:
    return found.value.date().isoformat()  # the calendar day as the page wrote it (see parse_date_text)


def _midnight(day: str, tz) -> datetime:
    year, month, date = map(int, day.split("-"))
    return datetime(year, month, date, tzinfo=tz)


def htmldate_day(page: Page, fetched_at: datetime, *, extensive: bool) -> str | None:
    """htmldate's original publication day (YYYY-MM-DD), from the markup only or, `extensive`, from the page's
    text as well (as trafilatura searches), bounded by the fetch day instead of the clock so that the result
    depends on the page alone. A date in the URL is read after the page's header and JSON data, not before."""
    from htmldate import find_date

    latest = (fetched_at + timedelta(days=1)).date().isoformat()
    try:
        return find_date(page.root, extensive_search=extensive, original_date=True, url=page.url or None,
                         max_date=latest, min_date="1990-01-01", deferred_url_extractor=True)
    except (ValueError, TypeError, OverflowError):
        return None


def date_candidates(page: Page, parse, headline: str | None):
    """ingot's own date candidates that cost little, lazily, in order of trust: JSON-LD → meta →
    <time datetime> → the first date-like text right after the headline."""
    for raw in page.jsonld_values("datePublished", "dateCreated", "uploadDate"):
        value = parse(raw, use_dateparser=False) if isinstance(raw, str) else None
        if value:
            yield FoundDate(value, raw, "jsonld")
    for key in _META_DATE_KEYS:
        raw = page.meta.get(key)
        value = parse(raw, use_dateparser=False) if raw else None
        if value:
            yield FoundDate(value, raw, f"meta:{key}")
    for el in page.root.iter("time"):
        raw = el.get("datetime") or ""
        value = parse(raw.strip(), use_dateparser=False) if raw else None
        if value:
            yield FoundDate(value, raw, "time:datetime")
    for raw in page.blocks_after_headline(headline):
        value = parse(raw, use_dateparser=False)
        if value:
            yield FoundDate(value, raw, "text:near-headline")
            break  # the first date under the headline is the headline's; later ones belong to the body


def markup_and_url_candidates(page: Page, parse, now: datetime):
    """The candidates that walk the whole page, lazily: date-ish markup, then the URL."""
    for el in page.root.iter():
        hint = f"{el.get('class', '')} {el.get('id', '')}"
        if (hint != " " and isinstance(el.tag, str) and _DATE_HINT.search(hint) and len(text_content(el)) <= 400
                and not page.in_list_or_chrome(el)):  # a long container is no date, whatever its class
            raw = page.text_of(el)
            value = parse(raw, use_dateparser=False) if 6 <= len(raw) <= 80 else None
            if value:
                yield FoundDate(value, raw, "markup:date-class")
    found = _url_date(page.url, now.tzinfo, now)
    if found:
        yield found
