"""A page that takes the extractor forever is rejected as ``timeout``; the worker and the batch go on.

The budget is the extractor pool's own mechanism (``ingot.extract_pool.within_budget``, a real-time timer in each
worker process). The pages made slow here never finish by themselves, so no test waits on a race: only the
budget can end them.
"""

from __future__ import annotations

import os
import signal
import time

import psycopg
import pytest

import ingot.page_outcome as page_outcome
from extract import REJECT_REASONS
from ingot.extract_pool import OverBudget, extractor_pool, within_budget, worker_budget
from ingot.extraction_job import extract_pages
from tests.reliability.test_store_hostile_values import news_page
from tests.store.pages import add_crawl_run, add_raw_page, add_site

FOREVER = 10**6


def sleep_forever() -> str:
    time.sleep(FOREVER)
    return "woke up"


def swallow_and_go_on_forever() -> str:
    """Code that catches every exception, a bare ``except:`` included, and goes on with more slow work."""
    try:
        time.sleep(FOREVER)
    except BaseException:  # noqa: BLE001 - what the budget must get past
        pass
    return sleep_forever()


def in_worker(function) -> str:
    """``function`` run in a pool worker under the worker's own budget: the value, or 'over budget'."""
    try:
        return within_budget(worker_budget(), function)
    except OverBudget:
        return f"over budget in {os.getpid()}"


def test_the_pool_stops_a_function_that_never_returns_and_its_worker_goes_on():
    with extractor_pool({}, 1, budget_seconds=1) as pool:
        stopped = pool.submit(in_worker, sleep_forever).result()
        also_stopped = pool.submit(in_worker, swallow_and_go_on_forever).result()
        after = pool.submit(in_worker, os.getpid).result()
    assert stopped.startswith("over budget") and also_stopped.startswith("over budget")
    assert stopped == f"over budget in {after}", "the same worker process took the next task"


def test_a_budget_leaves_no_timer_running_after_the_function_returns():
    assert within_budget(1, lambda: "done") == "done"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_timeout_is_a_reason_of_the_closed_set():
    assert "timeout" in REJECT_REASONS


@pytest.mark.parametrize("workers", [1, 2])
def test_a_page_that_never_finishes_is_rejected_as_timeout_and_the_batch_is_saved(db_url, monkeypatch, workers):
    real_extractor = page_outcome.extract_article

    def stuck_on_slow_pages(body, url, **kwargs):
        if "/slow/" in url:
            sleep_forever()
        return real_extractor(body, url, **kwargs)

    # forked workers inherit the patched module: the pool's budget, not the test, ends the slow page
    monkeypatch.setattr(page_outcome, "extract_article", stuck_on_slow_pages)
    with psycopg.connect(db_url, autocommit=True) as conn:
        add_site(conn, "alpha", hosts=("alpha.example",))
        run = add_crawl_run(conn, "alpha")
        slow = add_raw_page(conn, run, "alpha", "https://alpha.example/slow/1.html", news_page("Slow"))
        fine = [add_raw_page(conn, run, "alpha", f"https://alpha.example/news/{i}.html",
                             news_page(f"Steel output {i}")) for i in range(3)]
        # a budget far above what a real page takes (well under a second), so that only the stuck page meets it
        summary = extract_pages(db_url, {}, workers=workers, page_budget=5)
        recorded = dict(conn.execute("SELECT raw_page_id, coalesce(reason, outcome) FROM page_extraction"))
        detail = conn.execute("SELECT detail FROM page_extraction WHERE raw_page_id = %s", (slow,)).fetchone()[0]
    assert recorded == {slow: "timeout", **{page: "article" for page in fine}}
    assert summary.rejected == {"timeout": 1} and summary.articles_new == 3
    assert detail == "extraction took more than 5 s"


def test_extract_files_answers_timeout_for_a_page_past_its_budget(tmp_path, monkeypatch):
    """`ingot extract-files` answers a page that would run forever with `timeout` and goes on to the next."""
    import json

    import ingot.extract_files as extract_files

    slow, fine = tmp_path / "slow.html", tmp_path / "fine.html"
    slow.write_text("<html><body><p>slow</p></body></html>")
    fine.write_text("<html><body><h1>Steel</h1><p>" + "Mills restarted furnaces. " * 30 + "</p></body></html>")
    real = extract_files.extract_article

    def extract_or_hang(body, url, **kw):
        return sleep_forever() if url.endswith("/slow") else real(body, url, **kw)

    monkeypatch.setattr(extract_files, "extract_article", extract_or_hang)
    monkeypatch.setattr(extract_files, "PAGE_BUDGET_SECONDS", 1)
    lines = [json.dumps({"path": str(slow), "url": "https://news.example.com/slow"}),
             json.dumps({"path": str(fine), "url": "https://news.example.com/2025/11/20/fine.html"})]
    answers = list(extract_files.answer_lines(lines, {}, workers=1))
    assert answers[0]["reason"] == "timeout" and answers[1]["ok"] is True, answers
