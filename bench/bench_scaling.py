"""Extraction on the generated site's pages: pages per second per core against bare trafilatura, and scaling of
ingot's extraction step (``extract_pages``: read raw pages, process pool, save) from 1 to N processes.

    .venv/bin/python -m bench.bench_scaling [--pages 400] [--repeats 3]

Per core: one process, the extractors alternating per repeat; ingot's ``extract_article`` with the site's rules
against ``trafilatura.bare_extraction(with_metadata=True)``, both from raw bytes. Scaling: the same pages stored
as raw pages of one crawl run, re-extracted (``reextract=True``) with 1 and with N workers; parallel efficiency is
the N-worker rate over the 1-worker rate (N = the machine's cores, 2 here). Each ratio is the median of the
repeats' ratios, each taken between runs made one after the other, so that a change of load on a shared machine
between repeats hits both sides of a ratio alike.

Each repeat also measures the machine's own ceiling: a fixed pure-Python loop run alone, then N copies at once,
as N processes; the same ratio for it says what N busy cores give on this host at that moment. On a shared
virtual machine whose cores share physical ones it is well below N, and an efficiency target can only be read
against it.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import statistics
import tempfile
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import trafilatura
from psycopg.types.json import Jsonb

from bench.bench_e2e import cpu_seconds
from bench.common import print_table, throwaway_database
from bench.generated_site import SITE_KEY, GeneratedSite, write_site
from extract import extract_article
from ingot.extraction_job import extract_pages
from ingot.site_store import save_sites
from ingot.sites import load_sites

FETCHED_AT = datetime(2026, 4, 1, tzinfo=timezone.utc)


def site_pages(site: GeneratedSite) -> list[tuple[bytes, str, str]]:
    """(body, url, content type) of every article page, as served."""
    import json

    pages = []
    for article in site.articles:
        file = site.web_dir / site.host / article.path.lstrip("/")
        meta = json.loads(file.with_name(file.name + ".meta.json").read_text())
        pages.append((file.read_bytes(), article.url, meta["headers"]["Content-Type"]))
    return pages


def per_core(site: GeneratedSite, pages, repeats: int) -> dict[str, float]:
    rules = load_sites(site.sites_dir)[SITE_KEY].extract

    def ingot():
        for body, url, content_type in pages:
            charset = content_type.split("charset=")[1] if "charset=" in content_type else None
            extract_article(body, url, rules=rules, http_charset=charset, fetched_at=FETCHED_AT,
                            timezone="Asia/Shanghai")

    def bare():
        for body, url, _ in pages:
            trafilatura.bare_extraction(body, url=url, with_metadata=True)

    funcs = {"trafilatura.bare_extraction (metadata)": bare, "ingot extract_article": ingot}
    for func in funcs.values():
        func()  # warm-up
    rates: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeats):
        for name, func in funcs.items():
            start = time.perf_counter()
            func()
            rates[name].append(len(pages) / (time.perf_counter() - start))
    return rates


def store_raw_pages(url: str, site: GeneratedSite, pages) -> None:
    with psycopg.connect(url) as conn:
        save_sites(conn, load_sites(site.sites_dir))
        run_id = conn.execute("INSERT INTO crawl_run (site_key, news_day, status) VALUES (%s, %s, 'succeeded') "
                              "RETURNING id", (SITE_KEY, FETCHED_AT.date())).fetchone()[0]
        with conn.cursor().copy("COPY raw_page (crawl_run_id, site_key, kind, url, final_url, canonical_url, "
                                "http_status, headers, body_zlib, body_size, body_sha256, fetched_at) "
                                "FROM STDIN") as copy:
            for body, page_url, content_type in pages:
                copy.write_row((run_id, SITE_KEY, "article", page_url, page_url, page_url, 200,
                                Jsonb({"content-type": content_type}), zlib.compress(body), len(body),
                                hashlib.sha256(body).hexdigest(), FETCHED_AT))


def scaling(url: str, site: GeneratedSite, pages, repeats: int, workers: int) -> dict[str, dict[int, list[float]]]:
    """Pages per second and pages per CPU-second of each repeat, by worker count."""
    sites = load_sites(site.sites_dir)
    # first extraction, untimed: inserts and clusters, and the one-off start-up any process pays once (the
    # language tables, trafilatura's first page), before the pool forks as it does in a daily run
    extract_pages(url, sites, site_key=SITE_KEY, workers=workers)
    rates: dict[int, list[float]] = {1: [], workers: []}
    cpu: dict[int, list[float]] = {1: [], workers: []}
    ceiling: list[float] = []
    for _ in range(repeats):
        for count in rates:
            start, start_cpu = time.perf_counter(), cpu_seconds()
            summary = extract_pages(url, sites, site_key=SITE_KEY, reextract=True, workers=count)
            rates[count].append(summary.pages / (time.perf_counter() - start))
            cpu[count].append(summary.pages / (cpu_seconds() - start_cpu))
        ceiling.append(machine_ceiling(workers))
    return {"rates": rates, "cpu": cpu, "ceiling": ceiling}


def _busy_loop(_: int = 0) -> float:
    """A fixed amount of pure-Python work; its wall time."""
    start, total = time.perf_counter(), 0
    for i in range(3_000_000):
        total += i * i % 7
    return time.perf_counter() - start


def machine_ceiling(workers: int) -> float:
    """Speed-up of ``workers`` processes each doing the same fixed work at once, against one doing it alone."""
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        pool.map(_busy_loop, range(workers))  # processes started and warm
        alone = pool.apply(_busy_loop)
        start = time.perf_counter()
        pool.map(_busy_loop, range(workers), chunksize=1)
        together = time.perf_counter() - start
    return workers * alone / together


def median_ratio(numerators: list[float], denominators: list[float]) -> float:
    """The median of the repeats' ratios, each of two runs measured one after the other."""
    return statistics.median(n / d for n, d in zip(numerators, denominators))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ingot-scaling-") as tmp:
        site = write_site(Path(tmp), "http://www.metals-bench.com/", args.pages)
        pages = site_pages(site)
        core = per_core(site, pages, args.repeats)
        with throwaway_database() as url:
            store_raw_pages(url, site, pages)
            pool = scaling(url, site, pages, args.repeats, args.workers)
    bare = core["trafilatura.bare_extraction (metadata)"]
    rates, cpu = pool["rates"], pool["cpu"]
    tables = {
        "per_core": [[name, f"{statistics.median(r):.1f}", f"{median_ratio(r, bare):.2f}"]
                     for name, r in core.items()],
        "scaling": [[f"extract_pages, {count} process{'es' if count > 1 else ''}", f"{statistics.median(r):.1f}",
                     f"{median_ratio(r, rates[1]):.2f}", f"{statistics.median(cpu[count]):.1f}",
                     f"{count * median_ratio(cpu[count], cpu[1]):.2f}"]
                    for count, r in rates.items()],
    }
    ceiling = statistics.median(pool["ceiling"])
    per_core_ratio = median_ratio(core["ingot extract_article"], bare)
    efficiency = median_ratio(rates[args.workers], rates[1])
    cpu_efficiency = args.workers * median_ratio(cpu[args.workers], cpu[1])
    print_table(f"Extraction per core, {len(pages)} generated pages (median of {args.repeats})",
                ["extractor", "pages/s", "vs trafilatura"], tables["per_core"])
    print_table(f"Extraction step scaling (read + extract + save, median of {args.repeats})",
                ["run", "pages/s", "speed-up", "pages per CPU-s", "speed-up on idle cores"], tables["scaling"])
    print(f"\ningot / trafilatura per core: {per_core_ratio:.2f} (target >= 0.77); "
          f"parallel efficiency on {args.workers}: {efficiency:.2f} (target >= 1.7; {cpu_efficiency:.2f} "
          f"from CPU time, what idle cores would give; this machine's own ceiling: {ceiling:.2f})")
    tables["metrics"] = {"per_core_ratio": per_core_ratio, "efficiency": efficiency, "ceiling": ceiling,
                         "cpu_efficiency": cpu_efficiency, "workers": args.workers,
                         "pool_rates": {count: statistics.median(r) for count, r in rates.items()}}
    return tables


if __name__ == "__main__":
    main()
