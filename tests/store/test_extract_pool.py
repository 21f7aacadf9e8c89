"""The extractor's process pool: workers know the sites and yield the CPU to the crawler and the saving process."""

import os

from ingot.extract_pool import WORKER_NICENESS, extractor_pool, worker_sites


def worker_state(_: int) -> tuple[int, tuple[str, ...]]:
    return os.nice(0), tuple(sorted(worker_sites()))


def test_workers_start_with_the_sites_and_a_lower_priority():
    sites = {"alpha": "the alpha site", "beta": "the beta site"}
    lowered = min(19, os.nice(0) + WORKER_NICENESS)
    with extractor_pool(sites, 2) as pool:
        states = set(pool.map(worker_state, range(4)))
    assert states == {(lowered, ("alpha", "beta"))}
    assert os.nice(0) < lowered  # the calling process keeps its own priority
