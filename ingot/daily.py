"""The bodies of the daily DAG's tasks: plan, crawl one site, extract one site, check, report.

Each function takes a ``Settings`` and plain values and returns plain JSON-able values, so the DAG file stays
wiring and these run (and are tested) without Airflow. Every step is idempotent: the crawler and the extractor
upsert on natural keys, and this module's own record (``daily_site_run``) is keyed by site and news day.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from psycopg.types.json import Jsonb

from ingot.database import connect, resolve_database_url
from ingot.errors import ConfigurationError, IngotError
from ingot.settings import Settings
from ingot.sites import Site, load_sites

log = logging.getLogger(__name__)

# A site-day's pages are tens, not thousands: extraction runs in the task's own process (beside its crawler
# during the crawl task); the sites run in parallel.
EXTRACTION_WORKERS = 1


class QualityCheckFailed(IngotError):
    """One or more sites failed a quality check; the message names each site and metric."""


class SitesFailed(IngotError):
    """The run finished but some sites failed; the message is the run's report."""


class CrawlUnusable(IngotError):
    """The crawl ran to its end but not one response was usable: the site is down or refuses us."""


class PlanMissing(IngotError):
    """The run's plan failed or planned nothing: there is no site to check or report on."""


PLAN_MISSING = "plan failed: no sites were planned; see the plan task's log"


def news_day_for(moment: datetime, timezone: str) -> date:
    """The news day a run covers: the calendar day of the start of its data interval, in the news time zone."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def select_sites(sites: dict[str, Site], requested: Sequence[str] | None) -> list[str]:
    """The keys to run: the ``requested`` ones (each must be configured) or every enabled site."""
    if not requested:
        return [key for key, site in sites.items() if site.enabled]
    unknown = sorted(set(requested) - set(sites))
    if unknown:
        raise ConfigurationError(f"unknown site {unknown[0]!r} in the run's sites; configured: {', '.join(sites)}")
    return sorted(set(requested))


def plan_run(settings: Settings, *, requested_sites: Sequence[str] | None, requested_day: str | None,
             interval_start: datetime) -> list[dict]:
    """Which sites and which news day this run covers, as one ``{"site_key", "day"}`` per site.

    Also mirrors the rule files into the ``site`` table, which every other table references.
    """
    from ingot.site_store import save_sites

    sites = load_sites(settings.sites_dir)
    keys = select_sites(sites, requested_sites)
    if not keys:
        raise ConfigurationError(f"no enabled site in {settings.sites_dir}: nothing to run")
    try:
        day = date.fromisoformat(requested_day) if requested_day else news_day_for(interval_start,
                                                                                    settings.news_timezone)
    except ValueError:
        raise ConfigurationError(f"the run's day {requested_day!r} is not a date (YYYY-MM-DD)") from None
    with connect(resolve_database_url(settings)) as conn:
        save_sites(conn, sites)
        conn.cursor().executemany(SAVE_PLAN, [(key, day) for key in keys])
    log.info("news day %s, %d sites: %s", day, len(keys), ", ".join(keys))
    return [{"site_key": key, "day": day.isoformat()} for key in keys]


def crawl_one_site(settings: Settings, site_key: str, day: date, *, recrawl: bool = False,
                   timeout_minutes: float = 45, scrapy_settings: dict | None = None) -> dict:
    """Crawl one site for ``day`` (Scrapy in a subprocess), extracting its pages as they land, unless that day's
    crawl already succeeded.

    A crawl that already succeeded is not repeated (``recrawl`` forces it): a rerun or a backfill of a past day
    then re-extracts from the stored pages instead of attributing today's pages to that day. Raises
    ``CrawlFailed`` (after recording why) when the crawl failed or outlived ``timeout_minutes``.
    ``scrapy_settings`` override the crawler's (interactive runs retry less). What extraction did during the crawl
    is recorded with the crawl's stats (``extraction``); the extract task then takes whatever is left.
    """
    from ingot.crawl_extract import crawl_and_extract

    url = resolve_database_url(settings)
    if not recrawl and crawl_succeeded(url, site_key, day):
        log.info("%s: the crawl of %s already succeeded; using its stored pages", site_key, day)
        return {"site": site_key, "status": "skipped"}
    try:
        result = crawl_and_extract(settings, site_key, day, workers=EXTRACTION_WORKERS, timeout=timeout_minutes * 60,
                                   overrides={name: str(value) for name, value in (scrapy_settings or {}).items()})
    except Exception as error:
        save_crawl_result(url, site_key, day, "failed", one_line(error), {})
        raise
    extraction = extraction_record(result.extraction, result.extraction_error)
    if result.crawl_error is not None:
        save_crawl_result(url, site_key, day, "failed", one_line(result.crawl_error), {"extraction": extraction})
        raise result.crawl_error
    outcome = result.crawl
    stats = {**outcome.stats, "extraction": extraction}
    unusable = unusable_crawl_reason(outcome.stats)
    if unusable:
        message = f"{site_key}: the crawl for {day} got no usable response ({unusable})"
        save_crawl_result(url, site_key, day, "failed", message, stats)
        raise CrawlUnusable(message)
    save_crawl_result(url, site_key, day, outcome.status, outcome.error, stats)
    return {"site": site_key, "status": outcome.status, "stats": stats}


def extraction_record(summary, error: str | None) -> dict:
    """What extraction did during a crawl, as recorded with the crawl's stats."""
    record = dataclasses.asdict(summary) if summary is not None else {}
    if error:
        record["error"] = error
    return record


def unusable_crawl_reason(stats: dict) -> str | None:
    """Why a crawl that stored no page at all failed (HTTP errors, download errors), or None."""
    if sum((stats.get("pages") or {}).values()):
        return None
    from ingot.quality import blocked_by_site

    responses = {int(code): n for code, n in (stats.get("responses") or {}).items() if str(code).isdigit()}
    errors = {code: n for code, n in responses.items() if code >= 400}
    if errors:
        # 401, 403, 451: the site refuses the crawler, which the report says in so many words
        return blocked_by_site(errors, sum(responses.values())) or (
            "HTTP " + ", ".join(f"{code} x{n}" for code, n in sorted(errors.items())))
    if stats.get("errors"):
        samples = stats.get("error_samples") or []
        return f"{stats['errors']} download errors" + (f", e.g. {samples[0]}" if samples else "")
    return None


def extract_one_site(settings: Settings, site_key: str, day: date, *, reextract: bool = False) -> dict:
    """Extract the stored pages of one site's crawl of ``day`` that are not extracted yet (or all: ``reextract``)."""
    from ingot.extraction_job import extract_pages

    url = resolve_database_url(settings)
    sites = load_sites(settings.sites_dir)
    try:
        summary = extract_pages(url, sites, site_key=site_key, day=day, reextract=reextract,
                                workers=EXTRACTION_WORKERS)
        index_site(url, site_key, day)
    except Exception as error:
        save_extract_result(url, site_key, day, "failed", one_line(error), {})
        raise
    result = dataclasses.asdict(summary)
    save_extract_result(url, site_key, day, "succeeded", None, result)
    return result


def index_site(db_url: str, site_key: str, day: date) -> None:
    """Update the site's search documents and topic tags, when this version of ingot has the indexer."""
    try:
        from ingot.indexing import index_articles
    except ImportError:
        return
    # Every article the run stored or changed, whatever its date: a day's crawl finds stories years old too, and
    # the indexer's own test (no index row, or re-extracted since) already keeps the work to what changed.
    index_articles(db_url, site_key=site_key)


def planned_sites_and_day(site_days: Sequence[dict] | None) -> tuple[list[str], date]:
    """The plan's site keys and its one news day; ``PlanMissing`` when the plan failed (its XCom is absent)."""
    if not site_days:
        raise PlanMissing(PLAN_MISSING)
    return [item["site_key"] for item in site_days], date.fromisoformat(site_days[0]["day"])


def check_plan(settings: Settings, site_days: Sequence[dict] | None) -> list[dict]:
    """``check_quality`` of what the plan task planned."""
    return check_quality(settings, *planned_sites_and_day(site_days))


def report_plan(settings: Settings, site_days: Sequence[dict] | None) -> str:
    """``report_run`` of what the plan task planned."""
    return report_run(settings, *planned_sites_and_day(site_days))


def check_quality(settings: Settings, site_keys: Sequence[str], day: date) -> list[dict]:
    """Run and store the quality checks; raises ``QualityCheckFailed`` naming each failing site and metric."""
    from ingot.quality import check_sites, failures

    results = check_sites(resolve_database_url(settings), site_keys, day)
    for result in results:
        if result.status != "ok":
            log.warning("%s", result.message)
    failed = failures(results)
    if failed:
        raise QualityCheckFailed(f"quality check failed for {day}: " + "; ".join(r.message for r in failed))
    return [dataclasses.asdict(r) | {"news_day": day.isoformat()} for r in results if r.status != "ok"]


def report_run(settings: Settings, site_keys: Sequence[str], day: date) -> str:
    """The run's report (logged); raises ``SitesFailed`` with it when any site failed, so the run shows failed."""
    rows = load_site_days(resolve_database_url(settings), site_keys, day)
    report = render_report(day, rows)
    for line in report.splitlines():
        log.info("%s", line)
    if any(row.failed_because for row in rows):
        raise SitesFailed(report)
    return report


def crawl_succeeded(db_url: str, site_key: str, day: date) -> bool:
    """The day's crawl run succeeded, and this pipeline did not find it unusable."""
    with connect(db_url) as conn:
        row = conn.execute(
            "SELECT cr.status, d.crawl_status FROM crawl_run cr LEFT JOIN daily_site_run d "
            "ON d.site_key = cr.site_key AND d.news_day = cr.news_day WHERE cr.site_key = %s AND cr.news_day = %s",
            (site_key, day)).fetchone()
    return row is not None and row[0] == "succeeded" and row[1] in (None, "succeeded")


SAVE_PLAN = """
INSERT INTO daily_site_run (site_key, news_day, planned_at) VALUES (%s, %s, now())
ON CONFLICT (site_key, news_day) DO UPDATE SET planned_at = EXCLUDED.planned_at
"""

SAVE_CRAWL = """
INSERT INTO daily_site_run (site_key, news_day, crawl_status, crawl_error, crawl_stats)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (site_key, news_day) DO UPDATE SET
    crawl_status = EXCLUDED.crawl_status, crawl_error = EXCLUDED.crawl_error, crawl_stats = EXCLUDED.crawl_stats,
    updated_at = now()
"""

SAVE_EXTRACT = """
INSERT INTO daily_site_run (site_key, news_day, extract_status, extract_error, extraction)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (site_key, news_day) DO UPDATE SET
    extract_status = EXCLUDED.extract_status, extract_error = EXCLUDED.extract_error,
    extraction = EXCLUDED.extraction, updated_at = now()
"""


def save_crawl_result(db_url: str, site_key: str, day: date, status: str, error: str | None, stats: dict) -> None:
    with connect(db_url) as conn:
        conn.execute(SAVE_CRAWL, (site_key, day, status, error, Jsonb(stats or {})))


def save_extract_result(db_url: str, site_key: str, day: date, status: str, error: str | None,
                        summary: dict) -> None:
    with connect(db_url) as conn:
        conn.execute(SAVE_EXTRACT, (site_key, day, status, error, Jsonb(summary)))


def one_line(error: BaseException) -> str:
    """An exception as one line for the report: its own message, or its type when it has none."""
    text = " ".join(str(error).split())
    if isinstance(error, IngotError):
        return text or type(error).__name__
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# --- the run's report --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SiteDay:
    """One site's line in the report: what its crawl run of the day holds and why it failed, if it did."""

    site_key: str
    crawl_status: str | None
    found: int
    new: int
    rejected: int
    failed: int
    failed_because: tuple[str, ...] = ()


SITE_DAYS = """
SELECT s.key,
       coalesce(d.crawl_status, cr.status),
       coalesce(d.crawl_error, cr.error),
       d.extract_status, d.extract_error,
       coalesce(c.new, 0), coalesce(c.found, 0), coalesce(c.rejected, 0), coalesce(c.failed, 0),
       cr.stats -> 'responses',
       ARRAY(SELECT q.message FROM quality_check q
             WHERE q.site_key = s.key AND q.news_day = %(day)s AND q.status = 'fail' ORDER BY q.metric)
FROM unnest(%(sites)s::text[]) AS s(key)
LEFT JOIN crawl_run cr ON cr.site_key = s.key AND cr.news_day = %(day)s
LEFT JOIN daily_site_run d ON d.site_key = s.key AND d.news_day = %(day)s
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE pe.outcome = 'article') AS found,
           -- new: no earlier crawl stored a page of that canonical URL (the daily_site_stats view's rule)
           count(*) FILTER (WHERE pe.outcome = 'article' AND NOT EXISTS (
               SELECT 1 FROM raw_page older
               WHERE older.site_key = rp.site_key AND older.canonical_url = rp.canonical_url
                 AND older.crawl_run_id <> rp.crawl_run_id AND older.fetched_at < rp.fetched_at
           )) AS new,
           count(*) FILTER (WHERE pe.outcome = 'rejected' AND pe.reason <> 'extractor_error') AS rejected,
           count(*) FILTER (WHERE pe.reason = 'extractor_error') AS failed
    FROM raw_page rp JOIN page_extraction pe ON pe.raw_page_id = rp.id
    WHERE rp.crawl_run_id = cr.id
) c ON true
ORDER BY s.key
"""


def load_planned_sites(db_url: str, day: date, since: datetime) -> list[str]:
    """The sites a run started at ``since`` planned for ``day``."""
    with connect(db_url) as conn:
        rows = conn.execute("SELECT site_key FROM daily_site_run WHERE news_day = %s AND planned_at >= %s "
                            "ORDER BY site_key", (day, since)).fetchall()
    return [row[0] for row in rows]


def load_site_days(db_url: str, site_keys: Sequence[str], day: date) -> list[SiteDay]:
    with connect(db_url) as conn:
        rows = conn.execute(SITE_DAYS, {"sites": list(site_keys), "day": day}).fetchall()
    site_days = []
    for row in rows:
        (key, crawl_status, crawl_error, extract_status, extract_error, new, found, rejected, failed, responses,
         quality) = row
        reasons = []
        if crawl_status is None:
            reasons.append("no crawl recorded for this day (see the crawl task's log)")
        elif crawl_status == "failed":
            note = unreachable_note(crawl_error) or blocked_note(responses, crawl_error)
            reasons.append(f"crawl failed{note}: {without_site_key(crawl_error, key) or 'no reason recorded'}")
        if extract_status == "failed":
            reasons.append(f"extraction failed: {without_site_key(extract_error, key)}")
        reasons.extend(f"quality check failed: {message}" for message in quality)
        site_days.append(SiteDay(key, crawl_status, found, new, rejected, failed, tuple(reasons)))
    return site_days


def without_site_key(error: str | None, site_key: str) -> str | None:
    """An error message without the leading "KEY: " our errors carry: the report's line already names the site."""
    prefix = f"{site_key}: "
    return error[len(prefix):] if error and error.startswith(prefix) else error


NETWORK_ERRORS = re.compile(r"DNS lookup failed|CannotResolveHost|ConnectionRefused|Connection refused|"
                            r"TCPTimedOut|TimeoutError|timed out|No route to host|NetworkUnreachable", re.I)


def unreachable_note(error: str | None) -> str:
    """" (site unreachable)" when a crawl error is a network failure, so offline runs read plainly."""
    return " (site unreachable)" if error and NETWORK_ERRORS.search(error) else ""


def blocked_note(responses: dict | None, error: str | None = None) -> str:
    """" (blocked by the site: HTTP 403 x5 of 6 responses)" when the crawl's responses were mostly refusals
    (401, 403, 451) and its error does not say so already."""
    from ingot.quality import blocked_by_site

    if error and "blocked by the site" in error:
        return ""
    by_status = {int(code): n for code, n in (responses or {}).items() if str(code).isdigit()}
    blocked = blocked_by_site(by_status, sum(by_status.values()))
    return f" ({blocked})" if blocked else ""


def render_report(day: date, site_days: Sequence[SiteDay]) -> str:
    """A table of every site's found, new, rejected and failed counts, then each failed site and why."""
    failed = [s for s in site_days if s.failed_because]
    lines = [f"ingot_daily, news day {day}: {len(site_days)} sites, {len(site_days) - len(failed)} complete, "
             f"{len(failed)} failed"]
    width = max([len(s.site_key) for s in site_days] + [4])
    lines.append(f"{'site':<{width}}  {'crawl':<9}  {'found':>5}  {'new':>5}  {'rejected':>8}  {'failed':>6}")
    for s in site_days:
        lines.append(f"{s.site_key:<{width}}  {s.crawl_status or '-':<9}  {s.found:>5}  {s.new:>5}  "
                     f"{s.rejected:>8}  {s.failed:>6}")
    if failed:
        lines.append("failed sites:")
        lines.extend(f"  {s.site_key}: {reason}" for s in failed for reason in s.failed_because)
    return "\n".join(lines)
