"""A failed daily run, told to the operators' chat: the report's failed-site lines posted to a webhook.

``alert_text`` is pure (what the run's report says about its failed sites); ``post_alert`` is the one edge. The
DAG's ``on_failure_callback`` calls ``alert_failed_run`` only when ``INGOT_ALERT_WEBHOOK`` is set. The body is
``{"text": ...}``, which Slack, Mattermost, Rocket.Chat and most chat webhooks accept as it is.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence

from datetime import date, datetime

from ingot.daily import (PLAN_MISSING, PlanMissing, load_planned_sites, load_site_days, news_day_for,
                         planned_sites_and_day, render_report)
from ingot.database import resolve_database_url
from ingot.settings import Settings

log = logging.getLogger(__name__)

POST_TIMEOUT_SECONDS = 10
MAX_LINES = 40  # a chat message, not the whole log: the report task's log has everything


def alert_text(run_id: str, reason: str | None, report: str | None) -> str:
    """The alert: which run failed and why, then the report's failed-site lines (or its summary line)."""
    header = f"ingot_daily run {run_id} failed" + (f" ({reason})" if reason else "")
    if report is None:
        return f"{header}\n{PLAN_MISSING}"
    lines = report.splitlines()
    if "failed sites:" in lines:
        details = [line.strip() for line in lines[lines.index("failed sites:") + 1:]]
    else:
        details = lines[:1]  # no site failed: the run failed elsewhere (a timeout); its summary line says how far
    if len(details) > MAX_LINES:
        details = details[:MAX_LINES] + [f"... and {len(details) - MAX_LINES} more lines in the report task's log"]
    return "\n".join([header, *details])


def alert_failed_run(settings: Settings, *, run_id: str, reason: str | None,
                     site_days: Sequence[dict] | None) -> str | None:
    """Post the failed run's alert when a webhook is configured; returns the text posted (None: no webhook).

    ``site_days`` is the plan task's result (None when the plan failed). Never raises: an alert that cannot be
    sent is logged, and the run's own failure stays what Airflow shows.
    """
    if not settings.alert_webhook:
        return None
    try:
        site_keys, day = planned_sites_and_day(site_days)
    except PlanMissing:
        report = None
    else:
        try:
            report = render_report(day, load_site_days(resolve_database_url(settings), site_keys, day))
        except Exception as error:  # the news database is down: say so rather than send nothing
            report = f"the report could not be read from the news database: {error}"
    text = alert_text(run_id, reason, report)
    post_alert(settings.alert_webhook, text)
    return text


def planned_in_database(settings: Settings, *, requested_day: str | None, interval_start: datetime | None,
                        since: datetime | None) -> list[dict] | None:
    """The plan of a run started at ``since``, as the news database recorded it (``plan_run``'s result).

    For callbacks that cannot read the plan task's XCom (``dag.test()`` runs them outside any task).
    """
    if since is None or (not requested_day and interval_start is None):
        return None
    try:
        day = date.fromisoformat(requested_day) if requested_day else news_day_for(interval_start,
                                                                                    settings.news_timezone)
    except ValueError:
        return None  # the plan rejected that day: nothing was planned
    keys = load_planned_sites(resolve_database_url(settings), day, since)
    return [{"site_key": key, "day": day.isoformat()} for key in keys] or None


def post_alert(url: str, text: str) -> bool:
    """POST ``{"text": text}`` as JSON to ``url``; False (logged) when the webhook does not take it."""
    request = urllib.request.Request(url, data=json.dumps({"text": text}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT_SECONDS) as response:
            response.read()
        return True
    except (urllib.error.URLError, OSError, ValueError) as error:
        log.error("could not post the failure alert to the webhook: %s", error)
        return False
