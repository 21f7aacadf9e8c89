"""Throughput of ingot's extractor against bare trafilatura on the same pages, in one process.

    .venv/bin/python bench/bench_extract.py [--pages 200] [--repeats 5]

Pages: the seed fixture pages (tests/fixtures/web) and the GBK copy, cycled to --pages. Both sides get raw
bytes. Reported per core (single process, single thread): median pages/s over the repeats, the ratio, and the
peak Python heap per page set measured by tracemalloc in a separate, untimed pass (lxml's C allocations are
not traced, so trafilatura's figure is close to zero; the process max RSS covers both).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from extract import extract_article  # noqa: E402
from tests.extract.seeds import DATA, SEED_PAGES  # noqa: E402

FETCHED_AT = datetime(2025, 12, 1, tzinfo=timezone.utc)


def load_pages(count: int) -> list[tuple[bytes, str, str]]:
    base = [(p.body(), p.url, p.timezone) for p in SEED_PAGES.values()]
    base.append(((DATA / "cnmn_459472_gbk.html").read_bytes(), SEED_PAGES["000-cnmn"].url, "Asia/Shanghai"))
    return [base[i % len(base)] for i in range(count)]


def run_ingot(pages):
    for body, url, tz in pages:
        extract_article(body, url, fetched_at=FETCHED_AT, timezone=tz)


def run_trafilatura(pages):
    for body, url, _ in pages:
        trafilatura.bare_extraction(body, url=url, with_metadata=True)


def timed(funcs: dict, pages, repeats: int) -> dict[str, list[float]]:
    """Pages/s per repeat; the extractors alternate so that load from other processes hits both alike."""
    for func in funcs.values():
        func(pages[:20])  # warm-up: lazy imports and models load outside the timing
    rates: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeats):
        for name, func in funcs.items():
            start = time.perf_counter()
            func(pages)
            rates[name].append(len(pages) / (time.perf_counter() - start))
    return rates


def peak_heap_mb(func, pages) -> float:
    tracemalloc.start()
    func(pages)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=210)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pages = load_pages(args.pages)
    funcs = {"trafilatura.bare_extraction": run_trafilatura, "ingot extract_article": run_ingot}
    rates = timed(funcs, pages, args.repeats)
    results = {name: (statistics.median(r), min(r), max(r), peak_heap_mb(funcs[name], pages[:50]))
               for name, r in rates.items()}
    print(f"{len(pages)} pages x {args.repeats} repeats, one process, one core\n")
    print(f"{'extractor':<30} {'median p/s':>11} {'min':>8} {'max':>8} {'peak heap MB (50 pages)':>24}")
    for name, (median, low, high, heap) in results.items():
        print(f"{name:<30} {median:>11.1f} {low:>8.1f} {high:>8.1f} {heap:>24.1f}")
    base, ours = results["trafilatura.bare_extraction"][0], results["ingot extract_article"][0]
    print(f"\ningot / trafilatura throughput: {ours / base:.2f}  (target >= 0.77, i.e. at most 30% slower)")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
