"""Publication dates: parse one date string into an aware datetime.

`parse_date_text` handles the shapes seen on metals news sites (SITES.md §5) with small table-driven
parsers: CJK `年月日` (with Taiwan ROC years), Thai Buddhist-era months, localized month names with an
optional `at h:mm pm`, ISO / RFC 822 / epoch, day-first dotted dates and relative forms ("7 hours ago",
"3小时前", "il y a 2 jours") counted back from `fetched_at`. dateparser is only the last resort, loaded lazily.
A result is always aware: in the offset the string itself gives (so its calendar day is the one the page
shows), else in the site's zone; a date later than fetched_at + 1 day, before 1990 or without a day is refused
(no year-only guesses).

Finding a page's publication date among its sources is `extract.published`.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo



@dataclass(frozen=True)
class FoundDate:
    value: datetime
    raw: str
    rule: str


_MONTHS = {
    1: "january jan janvier janv januar jänner jän enero ene janeiro gennaio gen",
    2: "february feb février fevrier févr fevr februar febrero fevereiro fev febbraio",
    3: "march mar mars märz marz mär marzo março",
    4: "april apr avril avr abril abr aprile",
    5: "may mai mayo maio maggio mag",
    6: "june jun juin juni junio junho giugno giu",
    7: "july jul juillet juil juli julio julho luglio lug",
    8: "august aug août aout agosto ago",
    9: "september sep sept septembre septiembre setiembre setembro settembre set",
    10: "october oct octobre oktober okt octubre outubro ottobre ott",
    11: "november nov novembre noviembre novembro",
    12: "december dec décembre decembre déc dezember dez diciembre dic dezembro dicembre",
}
MONTH_NAMES = {name: num for num, names in _MONTHS.items() for name in names.split()}
_THAI_MONTHS_TEXT = {
    1: "มกราคม ม.ค.", 2: "กุมภาพันธ์ ก.พ.", 3: "มีนาคม มี.ค.", 4: "เมษายน เม.ย.", 5: "พฤษภาคม พ.ค.",
    6: "มิถุนายน มิ.ย.", 7: "กรกฎาคม ก.ค.", 8: "สิงหาคม ส.ค.", 9: "กันยายน ก.ย.", 10: "ตุลาคม ต.ค.",
    11: "พฤศจิกายน พ.ย.", 12: "ธันวาคม ธ.ค.",
}
THAI_MONTHS = {name: num for num, names in _THAI_MONTHS_TEXT.items() for name in names.split()}


def _alternation(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
_MONTH = f"{_NOT_LETTER_BEFORE}(?P<month>{_alternation(MONTH_NAMES)}){_NOT_LETTER_AFTER}\\.?"
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(?P<day>\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?{_MONTH},?\s+(?:de\s+)?(?P<year>\d{{4}})(?!\d)", re.I)
_MONTH_DAY_YEAR = re.compile(rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})(?!\d)", re.I)
_THAI = re.compile(rf"(?<!\d)(?P<day>\d{{1,2}})\s*(?P<month>{_alternation(THAI_MONTHS)})\s*(?P<year>\d{{4}}|\d{{2}})(?!\d)")
_CJK = re.compile(r"(?P<roc>民國|民国)?\s*(?<!\d)(?P<year>\d{2,4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号號]")
_CJK_YEARLESS = re.compile(r"(?<![\d年])(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号號]")
_YMD = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(?P<day>\d{1,2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<year>(?:19|20)\d{2})(?!\d)")
_TIME = re.compile(r"(?<![\d.])(?P<h>\d{1,2})\s*[:：时時h]\s*(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?(?:\.\d+)?"
                   r"(?:\s*(?P<ampm>[ap])\.?\s?m\b\.?)?", re.I)
_UTC_WORD = re.compile(r"\b(?:GMT|UTC)\b(?!\s*[+-]\d)")
_EPOCH = re.compile(r"\d{10}(?:\d{3})?")
_RFC822 = re.compile(r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d{1,2}:\d{2}")

_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000}
_UNIT_WORDS = {
    "second": "second seconds seconde secondes sekunde sekunden segundo segundos 秒 秒钟 秒鐘 วินาที",
    "minute": "minute minutes min mins minuten minuto minutos 分钟 分鐘 分 นาที",
    "hour": "hour hours hr hrs heure heures stunde stunden hora horas 小时 小時 个小时 個小時 ชั่วโมง ชม.",
    "day": "day days jour jours tag tage tagen día días dia dias 天 日 วัน",
    "week": "week weeks semaine semaines woche wochen semana semanas 周 週 星期 สัปดาห์",
    "month": "month months mois monat monate monaten mes meses 个月 個月 月 เดือน",
}
_UNITS = {w: unit for unit, words in _UNIT_WORDS.items() for w in words.split()}
_ONE = r"\d+|an?|one|une?|einer?|einem|una?"
_RELATIVE = [  # (pattern, group holding the count, group holding the unit)
    re.compile(rf"(?P<n>{_ONE})\s+(?P<u>[a-z]+)\s+ago\b", re.I),
    re.compile(rf"\bil y a\s+(?P<n>{_ONE})\s+(?P<u>[a-zé]+)", re.I),
    re.compile(rf"\bvor\s+(?P<n>{_ONE})\s+(?P<u>[a-z]+)", re.I),
    re.compile(rf"\bhace\s+(?P<n>{_ONE})\s+(?P<u>[a-zí]+)", re.I),
    re.compile(r"(?P<n>\d+)\s*(?P<u>秒钟|秒鐘|秒|分钟|分鐘|个小时|個小時|小时|小時|天|日|周|週|星期|个月|個月)\s*(?:以)?前"),
    re.compile(r"(?P<n>\d+)\s*(?P<u>วินาที|นาที|ชั่วโมง|ชม\.|วัน|สัปดาห์|เดือน)\s*ที่แล้ว"),
]
_DAY_WORDS = {"today": 0, "今天": 0, "今日": 0, "aujourd'hui": 0, "heute": 0, "hoy": 0, "วันนี้": 0,
              "yesterday": 1, "昨天": 1, "昨日": 1, "hier": 1, "gestern": 1, "ayer": 1, "เมื่อวาน": 1, "เมื่อวานนี้": 1,
              "前天": 2, "avant-hier": 2, "vorgestern": 2, "anteayer": 2}
_NOW_WORDS = frozenset({"刚刚", "剛剛", "just now", "à l'instant", "gerade eben", "ahora mismo", "เมื่อสักครู่"})
_DAY_WORD = re.compile(r"(?<![^\W\d_])(" + _alternation(_DAY_WORDS) + r")(?![^\W\d_])", re.I)


def as_zone(tz) -> ZoneInfo | dt_timezone:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _time_in(text: str) -> tuple[int, int, int]:
    match = _TIME.search(text)
    if not match:
        return 0, 0, 0
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    if match["ampm"]:
        hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    return (hour, minute, second) if hour < 24 else (0, 0, 0)


def _build(year: int, month: int, day: int, text: str, tz) -> datetime | None:
    try:
        naive = datetime(year, month, day, *_time_in(text))
    except ValueError:
        return None
    return naive.replace(tzinfo=dt_timezone.utc if _UTC_WORD.search(text) else tz)


def relative_date(text: str, now: datetime) -> datetime | None:
    """An explicit relative date ("7 hours ago", "3小时前", "昨天 12:30", "2 วันที่แล้ว", "刚刚") counted back from
    ``now`` (aware, on the clock the text was written for); None for anything else, vague phrases included."""
    if text.strip().lower() in _NOW_WORDS:
        return now
    for pattern in _RELATIVE:
        match = pattern.search(text)
        if match and match["u"].lower() in _UNITS:
            count = match["n"].lower()
            count = int(count) if count.isdigit() else 1
            return now - timedelta(seconds=count * _UNIT_SECONDS[_UNITS[match["u"].lower()]])
    # "today"/"昨天" only when that is all the string says: "今日要闻" is a section name, not a date
    match = _DAY_WORD.fullmatch(_TIME.sub("", text).strip(" ,"))
    if match:
        day = (now - timedelta(days=_DAY_WORDS[match[1].lower()])).date()
        has_time = _TIME.search(text)
        return datetime(day.year, day.month, day.day, *(_time_in(text) if has_time else (0, 0, 0)), tzinfo=now.tzinfo)
    return None


def _thai_year(raw: str) -> int:
    year = int(raw)
    if len(raw) == 2:  # "66" is short for Buddhist year 2566
        year += 2500
    return year - 543 if year > 2400 else year


def _absolute(text: str, tz, now: datetime, allow_yearless: bool) -> datetime | None:
    match = _CJK.search(text)
    if match:
        year = int(match["year"])
        if match["roc"] or len(match["year"]) == 3:  # 民國/3-digit years count from 1912
            year += 1911
        elif len(match["year"]) == 2:
            return None
        return _build(year, int(match["month"]), int(match["day"]), text[match.end():], tz)
    match = _THAI.search(text)
    if match:
        return _build(_thai_year(match["year"]), THAI_MONTHS[match["month"]], int(match["day"]), text, tz)
    match = _YMD.search(text)
    if match:
        return _build(int(match["year"]), int(match["month"]), int(match["day"]), text[match.end():], tz)
    match = _DMY.search(text)
    if match:
        day, month = int(match["day"]), int(match["month"])
        if month > 12 >= day:  # US order, unambiguous only because the "month" is > 12
            day, month = month, day
        return _build(int(match["year"]), month, day, text[match.end():], tz)
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        match = pattern.search(text)
        if match:
            rest = text[:match.start()] + " " + text[match.end():]
            return _build(int(match["year"]), MONTH_NAMES[match["month"].lower()], int(match["day"]), rest, tz)
    if allow_yearless:
        match = _CJK_YEARLESS.search(text)
        if match:
            found = _build(now.year, int(match["month"]), int(match["day"]), text[match.end():], tz)
            if found and found > now + timedelta(days=1):  # "12月30日" read on 2 January is last year's
                found = _build(now.year - 1, int(match["month"]), int(match["day"]), text[match.end():], tz)
            return found
    return None


def _machine(text: str, tz) -> datetime | None:
    """ISO 8601, RFC 822 and epoch seconds/milliseconds: the forms found in meta tags and JSON."""
    if _EPOCH.fullmatch(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=tz)  # an instant written without a zone: shown in the site's
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", text) else text)
        if parsed.year > 1900 and re.match(r"\d{4}-?\d\d", text):
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    except ValueError:
        pass
    if _RFC822.match(text):
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt_timezone.utc)
    return None


def _with_dateparser(text: str, tz, now: datetime) -> datetime | None:
    import dateparser  # slow import, rarely needed

    settings = {"RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY",
                "REQUIRE_PARTS": ["day", "month", "year"], "RETURN_AS_TIMEZONE_AWARE": False}
    try:
        parsed = dateparser.parse(text, settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.replace(tzinfo=tz) if parsed else None


def parse_date_text(raw: str, *, fetched_at: datetime, timezone="UTC", formats=(),
                    allow_yearless: bool = False, use_dateparser: bool = True) -> datetime | None:
    """Parse one date string into an aware datetime in `timezone`, or None when absent or implausible."""
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be timezone-aware")
    if not raw:
        return None
    tz = as_zone(timezone)
    now = fetched_at.astimezone(tz)
    text = re.sub(r"\s+", " ", raw.replace("\u00a0", " ").replace("\u3000", " ")).strip(" []【】()（）•·|")
    if not text or len(text) > 300:
        return None
    found = None
    for fmt in formats:
        try:
            found = datetime.strptime(text, fmt)
            found = found if found.tzinfo else found.replace(tzinfo=tz)
            break
        except ValueError:
            found = None
    found = (found or _machine(text, tz) or relative_date(text, now)
             or _absolute(text, tz, now, allow_yearless)
             or (_with_dateparser(text, tz, now) if use_dateparser and len(text) <= 60 else None))
    if found is None or found.year < 1990 or found > now + timedelta(days=1):
        return None
    return found  # in the offset the page wrote, else in the site's zone: the calendar day stays the page's
