"""``ingot extract-files``: extract saved pages listed as JSON lines, answering one JSON line per input, in order.

Input lines: ``{"path": ..., "url": ..., "site": optional key, "encoding": optional HTTP charset}``. A page's
fetch time, which relative dates ("3小时前") are counted from, is its file's modification time. Pages whose site
is not configured go through the generic rules. Bad lines and unreadable files answer ``"ok": false`` with a
reason, never stop the batch.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from extract import Article, extract_article
from ingot.extract_pool import PAGE_BUDGET_SECONDS, OverBudget, extractor_pool, within_budget, worker_sites
from ingot.sites import Site

def answer_line(line: str, sites: dict[str, Site] | None = None) -> dict:
    """The JSON-ready answer for one input line."""
    sites = worker_sites() if sites is None else sites
    try:
        request = json.loads(line)
        path, url = request["path"], request["url"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        return {"path": None, "url": None, "ok": False, "reason": f"bad_input: {type(error).__name__} {error}"}
    answer = {"path": path, "url": url}
    site = sites.get(request.get("site") or "")
    try:
        body = Path(path).read_bytes()
        fetched_at = datetime.fromtimestamp(os.stat(path).st_mtime, tz=timezone.utc)
    except OSError as error:
        return {**answer, "ok": False, "reason": f"unreadable: {error.strerror}"}
    try:
        result = within_budget(PAGE_BUDGET_SECONDS, lambda: extract_article(
            body, url, rules=site.extract if site else None, http_charset=request.get("encoding"),
            fetched_at=fetched_at, timezone=site.timezone if site else None,
        ))
    except OverBudget:  # a page that would run unbounded is an answer too
        return {**answer, "ok": False, "reason": "timeout", "detail": f"over {PAGE_BUDGET_SECONDS} s"}
    except Exception as error:  # a page that breaks the extractor is an answer, not the end of the batch
        return {**answer, "ok": False, "reason": f"extractor_error: {type(error).__name__}: {error}"[:500]}
    if isinstance(result, Article):
        return {**answer, "ok": True, **{k: v for k, v in result.to_dict().items() if k != "url"}}
    return {**answer, "ok": False, "reason": result.reason, "detail": result.detail}


def answer_lines(lines: Iterable[str], sites: dict[str, Site], workers: int) -> Iterator[dict]:
    """Answers in input order, extracted on ``workers`` processes."""
    requests = (line for line in lines if line.strip())
    if workers <= 1:
        yield from (answer_line(line, sites) for line in requests)
        return
    with extractor_pool(sites, workers) as pool:
        yield from pool.map(answer_line, requests, chunksize=4)
