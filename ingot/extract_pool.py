"""A process pool for the extractor, shared by ``ingot extract`` and ``ingot extract-files``.

Each worker receives the site registry once, at start-up, instead of with every page; the extractor's one-off
costs (trafilatura's import, compiled patterns, the language model) are paid once, in the parent before the pool
forks, or in each worker when processes are spawned. Workers run at a lower priority (``WORKER_NICENESS``).

A page may take the extractor unboundedly long (a pathological document, a regular expression that backtracks):
``within_budget`` stops whatever runs past its time budget with ``OverBudget``, raised by the process's
real-time timer (SIGALRM), so that the page is recorded as such and the worker goes on with the next one.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone

from ingot.sites import Site

# Workers yield the CPU to the crawler beside them (a single process: the crawl's pace is its share of one core)
# and to the process and database that load and save their batches; they take what those leave idle, which on a
# busy machine is most of it. Measured on 2 cores, crawl + extract of 2,000 pages: 4% less wall time than at 0.
WORKER_NICENESS = 10

# Wall-clock seconds one page may take. Real pages take well under a second; a page over this is recorded as
# rejected with reason ``timeout`` (``ingot.extraction_job``).
PAGE_BUDGET_SECONDS = 30.0
# Once over budget, ``OverBudget`` is raised again this often until it leaves the function: code that catches
# every exception (a bare ``except:``) cannot keep a page running.
_RAISE_AGAIN_SECONDS = 1.0

_worker_sites: dict[str, Site] = {}
_worker_budget: float | None = None


def worker_sites() -> dict[str, Site]:
    """The site registry this worker process was started with."""
    return _worker_sites


def worker_budget() -> float | None:
    """The time budget per page this worker process was started with (None: unbounded)."""
    return _worker_budget


def extractor_pool(sites: dict[str, Site], workers: int,
                   budget_seconds: float | None = PAGE_BUDGET_SECONDS) -> ProcessPoolExecutor:
    context = multiprocessing.get_context()
    if context.get_start_method() == "fork":
        _warm_up()
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                               initargs=(sites, budget_seconds))


class OverBudget(BaseException):
    """The function ran past its budget. A BaseException, so that the extractor's own ``except Exception``
    guards do not record it as an error of theirs."""


_armed = False


def within_budget(seconds: float | None, function, *args):
    """``function(*args)``, stopped with ``OverBudget`` after ``seconds`` of wall time.

    Signals reach only a process's main thread, and the process has one real-time timer: in another thread, or
    while someone else's timer runs, or with no budget, the function runs unbounded."""
    if (not seconds or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0]):
        return function(*args)
    global _armed
    previous = signal.signal(signal.SIGALRM, _over_budget)
    try:
        _armed = True
        signal.setitimer(signal.ITIMER_REAL, seconds, _RAISE_AGAIN_SECONDS)
        return function(*args)
    finally:
        _disarm()
        signal.signal(signal.SIGALRM, previous)


def _over_budget(signum, frame) -> None:
    if _armed:
        raise OverBudget


def _disarm() -> None:
    """Stop the timer; an OverBudget raised while doing so (the timer fired just then) is not passed on."""
    global _armed
    while True:
        try:
            _armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            return
        except OverBudget:
            continue


def _init_worker(sites: dict[str, Site], budget_seconds: float | None = None) -> None:
    global _worker_sites, _worker_budget
    _worker_sites = sites
    _worker_budget = budget_seconds
    os.nice(WORKER_NICENESS)
    if multiprocessing.get_start_method() != "fork":
        _warm_up()


def _warm_up() -> None:
    from extract import extract_article
    from extract.language import load_models

    load_models()  # the warm-up page below is too short to need them

    extract_article(b"<html><body><h1>warm-up</h1><p>Steel output rose.</p></body></html>",
                    "https://warm-up.invalid/a.html", fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
