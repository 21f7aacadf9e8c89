"""A process pool for the extractor, shared by ``ingot extract`` and ``ingot extract-files``.

Each worker receives the site registry once, at start-up, instead of with every page; the extractor's one-off
costs (trafilatura's import, compiled patterns, the language model) are paid once, in the parent before the pool
forks, or in each worker when processes are spawned. Workers run at a lower priority (``WORKER_NICENESS``).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone

from ingot.sites import Site

# Workers yield the CPU to the crawler beside them (a single process: the crawl's pace is its share of one core)
# and to the process and database that load and save their batches; they take what those leave idle, which on a
# busy machine is most of it. Measured on 2 cores, crawl + extract of 2,000 pages: 4% less wall time than at 0.
WORKER_NICENESS = 10

_worker_sites: dict[str, Site] = {}


def worker_sites() -> dict[str, Site]:
    """The site registry this worker process was started with."""
    return _worker_sites


def extractor_pool(sites: dict[str, Site], workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context()
    if context.get_start_method() == "fork":
        _warm_up()
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(sites,))


def _init_worker(sites: dict[str, Site]) -> None:
    global _worker_sites
    _worker_sites = sites
    os.nice(WORKER_NICENESS)
    if multiprocessing.get_start_method() != "fork":
        _warm_up()


def _warm_up() -> None:
    from extract import extract_article
    from extract.language import load_models

    load_models()  # the warm-up page below is too short to need them

    extract_article(b"<html><body><h1>warm-up</h1><p>Steel output rose.</p></body></html>",
                    "https://warm-up.invalid/a.html", fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
