"""Daily quality checks per site: is today's crawl and extraction in line with the site's recent days?

Pure functions turn one site-day's counts into metrics and judge each metric against the median of the same
metric over the site's previous days. ``check_sites`` is the one I/O function: it loads the counts from the
crawl, page and article tables, stores every result in ``quality_check`` (one row per site, day and metric, so
trends can be queried) and returns them. A rule fails only on a sudden change (a layout change, a dead site); a
metric that has always been poor, or that has no history yet, is at most a warning.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ingot.database import connect

BASELINE_DAYS = 14
# A share this high is alarming when the site's usual share is below NORMAL_SHARE.
ALARMING_SHARE = 0.5
NORMAL_SHARE = 0.2
# An article shorter than this lost its text (teasers are rejected by extraction before they get here).
SHORT_TEXT_CHARS = 200
# Metrics whose sudden jump means extraction broke (fail); the others only warn.
LAYOUT_METRICS = {
    "missing_date_share": "articles without a date",
    "short_text_share": "articles with almost no text",
    "rejected_share": "pages rejected by extraction",
}
# Statuses with which a site refuses the crawler rather than a page: unauthorised, forbidden, unavailable for legal
# reasons. When they are most of a day's responses, a collapse of its metrics is the site blocking us, not its
# layout changing, and the message says so.
BLOCKING_STATUSES = (401, 403, 451)
DRIFT_METRICS = {
    "missing_title_share": "articles without a title",
    "missing_authors_share": "articles without authors",
    "http_error_share": "responses with an HTTP error",
}


@dataclass(frozen=True)
class DayCounts:
    """What one site's crawl run of one news day produced. ``pages``: responses (of every kind)."""

    pages: int = 0
    http_errors: int = 0
    extracted: int = 0
    articles: int = 0
    missing_date: int = 0
    missing_title: int = 0
    missing_authors: int = 0
    short_text: int = 0
    rejected: Mapping[str, int] = field(default_factory=dict)
    blocking: Mapping[int, int] = field(default_factory=dict)  # responses with a BLOCKING_STATUSES code


@dataclass(frozen=True)
class CheckResult:
    site_key: str
    news_day: date
    metric: str
    value: float
    baseline: float | None
    status: str  # ok | warn | fail
    message: str | None = None


def day_metrics(counts: DayCounts) -> dict[str, float]:
    """The metrics of one site-day; a share is left out when its denominator is zero."""
    metrics: dict[str, float] = {"articles_found": float(counts.articles)}
    if counts.articles:
        metrics["missing_date_share"] = counts.missing_date / counts.articles
        metrics["missing_title_share"] = counts.missing_title / counts.articles
        metrics["missing_authors_share"] = counts.missing_authors / counts.articles
        metrics["short_text_share"] = counts.short_text / counts.articles
    if counts.extracted:
        metrics["rejected_share"] = sum(counts.rejected.values()) / counts.extracted
        for reason, n in sorted(counts.rejected.items()):
            metrics[f"rejected_share:{reason}"] = n / counts.extracted
    if counts.pages:
        metrics["http_error_share"] = counts.http_errors / counts.pages
    return metrics


def baseline(history: Iterable[Mapping[str, float]], metric: str) -> float | None:
    """Median of ``metric`` over the days of ``history`` that have it; None without history."""
    values = [day[metric] for day in history if metric in day]
    return float(statistics.median(values)) if values else None


def blocked_by_site(blocking: Mapping[int, int], responses: int) -> str | None:
    """ "blocked by the site: HTTP 403 x12 of 15 responses" when at least half the responses were refusals."""
    refused = sum(n for code, n in blocking.items() if code in BLOCKING_STATUSES)
    if not responses or not refused or refused * 2 < responses:
        return None
    codes = ", ".join(f"{code} x{n}" for code, n in sorted(blocking.items()) if code in BLOCKING_STATUSES)
    return f"blocked by the site: HTTP {codes} of {responses} responses"


def judge(site_key: str, metric: str, value: float, usual: float | None,
          quiet_weekday: bool = False, blocked: str | None = None) -> tuple[str, str | None]:
    """(status, message) of one metric against its baseline; the message names the site and the metric.

    ``quiet_weekday``: the site had a day without articles on this weekday recently (a weekend), so a zero yield
    today is a warning, not a failure. ``blocked``: the day's ``blocked_by_site`` note, which a failure names as
    its cause instead of a layout change.
    """
    if metric == "articles_found":
        if value == 0 and usual and quiet_weekday:
            return "warn", f"{site_key}: articles_found is 0, as on this weekday recently (median {usual:g})"
        if value == 0 and usual:
            return "fail", (f"{site_key}: articles_found dropped to 0 (median of recent days: {usual:g})"
                            + (f": {blocked}" if blocked else ""))
        if usual and value < usual / 3:
            return "warn", f"{site_key}: articles_found is {value:g}, far below the recent median {usual:g}"
        return "ok", None
    described = LAYOUT_METRICS.get(metric) or DRIFT_METRICS.get(metric)
    if described is None or value < ALARMING_SHARE:
        return "ok", None
    if usual is None:
        return "warn", f"{site_key}: {metric} is {value:.0%} ({described}), no history to compare with"
    if usual >= NORMAL_SHARE:
        return "warn", f"{site_key}: {metric} is {value:.0%} ({described}), as usual for this site ({usual:.0%})"
    status = "fail" if metric in LAYOUT_METRICS else "warn"
    cause = f"{blocked}, not a layout change" if blocked else "did the site's layout change?"
    return status, f"{site_key}: {metric} jumped to {value:.0%} ({described}; usually {usual:.0%}): {cause}"


def evaluate_site(site_key: str, day: date, today: DayCounts,
                  history: Mapping[date, DayCounts]) -> list[CheckResult]:
    """Every metric of ``today`` judged against ``history`` (the site's previous days that had a crawl run)."""
    past = [day_metrics(counts) for d, counts in sorted(history.items()) if d < day]
    quiet_weekday = any(d.weekday() == day.weekday() and not counts.articles
                        for d, counts in history.items() if d < day)
    blocked = blocked_by_site(today.blocking, today.pages)
    results = []
    for metric, value in day_metrics(today).items():
        usual = baseline(past, metric)
        status, message = judge(site_key, metric, value, usual, quiet_weekday, blocked)
        results.append(CheckResult(site_key, day, metric, value, usual, status, message))
    return results


def failures(results: Iterable[CheckResult]) -> list[CheckResult]:
    return [r for r in results if r.status == "fail"]


# --- I/O -------------------------------------------------------------------------------------------------------

COUNTS = f"""
SELECT cr.site_key, cr.news_day, cr.stats -> 'responses',
       count(rp.id),
       count(rp.id) FILTER (WHERE rp.http_status >= 400),
       count(pe.raw_page_id),
       count(a.id),
       count(a.id) FILTER (WHERE a.published_at IS NULL),
       count(a.id) FILTER (WHERE btrim(a.title) = ''),
       count(a.id) FILTER (WHERE cardinality(a.authors) = 0),
       count(a.id) FILTER (WHERE length(a.text) < {SHORT_TEXT_CHARS})
FROM crawl_run cr
LEFT JOIN raw_page rp ON rp.crawl_run_id = cr.id
LEFT JOIN page_extraction pe ON pe.raw_page_id = rp.id
LEFT JOIN article a ON a.id = pe.article_id AND pe.outcome = 'article'
WHERE cr.site_key = ANY(%(sites)s) AND cr.news_day BETWEEN %(first)s AND %(day)s
GROUP BY cr.id
"""

REJECTIONS = """
SELECT cr.site_key, cr.news_day, pe.reason, count(*)
FROM crawl_run cr
JOIN raw_page rp ON rp.crawl_run_id = cr.id
JOIN page_extraction pe ON pe.raw_page_id = rp.id
WHERE pe.outcome = 'rejected' AND cr.site_key = ANY(%(sites)s) AND cr.news_day BETWEEN %(first)s AND %(day)s
GROUP BY cr.site_key, cr.news_day, pe.reason
"""

UPSERT_RESULT = """
INSERT INTO quality_check (site_key, news_day, metric, value, baseline, status, message)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (site_key, news_day, metric) DO UPDATE SET
    value = EXCLUDED.value, baseline = EXCLUDED.baseline, status = EXCLUDED.status,
    message = EXCLUDED.message, checked_at = now()
WHERE (quality_check.value, quality_check.baseline, quality_check.status, quality_check.message)
      IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.baseline, EXCLUDED.status, EXCLUDED.message)
"""

DELETE_STALE = """
DELETE FROM quality_check WHERE site_key = %s AND news_day = %s AND NOT (metric = ANY(%s))
"""


def load_day_counts(conn, site_keys: Sequence[str], day: date,
                    days: int = BASELINE_DAYS) -> dict[str, dict[date, DayCounts]]:
    """Counts per site and news day, for ``day`` and the ``days`` before it (days without a crawl run absent)."""
    window = {"sites": list(site_keys), "first": day - timedelta(days=days), "day": day}
    rejected: dict[tuple[str, date], dict[str, int]] = defaultdict(dict)
    for site_key, news_day, reason, n in conn.execute(REJECTIONS, window):
        rejected[site_key, news_day][reason] = n
    counts: dict[str, dict[date, DayCounts]] = defaultdict(dict)
    for site_key, news_day, responses, *numbers in conn.execute(COUNTS, window):
        day_counts = DayCounts(*numbers, rejected=rejected[site_key, news_day])
        counts[site_key][news_day] = with_response_counts(day_counts, responses)
    return counts


def with_response_counts(counts: DayCounts, responses: Mapping[str, int] | None) -> DayCounts:
    """Count HTTP errors over every response of the crawl (its stats), not only the pages it stored."""
    by_status = {int(code): n for code, n in (responses or {}).items() if str(code).isdigit()}
    if not by_status:
        return counts
    errors = sum(n for code, n in by_status.items() if code >= 400)
    blocking = {code: n for code, n in by_status.items() if code in BLOCKING_STATUSES}
    return dataclasses.replace(counts, pages=sum(by_status.values()), http_errors=errors, blocking=blocking)


def check_sites(db_url: str, site_keys: Sequence[str], day: date) -> list[CheckResult]:
    """Check each site's ``day`` against its previous days, store the results and return them."""
    results: list[CheckResult] = []
    with connect(db_url) as conn:
        counts = load_day_counts(conn, site_keys, day)
        for site_key in site_keys:
            by_day = counts.get(site_key, {})
            results.extend(evaluate_site(site_key, day, by_day.get(day, DayCounts()), by_day))
        save_results(conn, site_keys, day, results)
    return results


def save_results(conn, site_keys: Sequence[str], day: date, results: Sequence[CheckResult]) -> None:
    with conn.transaction():
        for site_key in site_keys:
            metrics = [r.metric for r in results if r.site_key == site_key]
            conn.execute(DELETE_STALE, (site_key, day, metrics))
        conn.cursor().executemany(UPSERT_RESULT, [
            (r.site_key, r.news_day, r.metric, r.value, r.baseline, r.status, r.message) for r in results
        ])
