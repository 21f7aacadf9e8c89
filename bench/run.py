"""Every benchmark, then one table of results against the targets of the performance issue.

    .venv/bin/python -m bench.run            # 2,000-article site, 3 repeats: several minutes
    .venv/bin/python -m bench.run --quick    # 300 articles, 1 repeat: about a minute, for a smoke run

Runs, in order: end to end and the incremental day (bench.bench_e2e), extraction per core and its scaling
(bench.bench_scaling), loading (bench.bench_load's rows, article store against COPY), then, without --quick,
the seed-fixture extraction benchmark (bench/bench_extract.py), the export benchmark (bench/bench_export.py) and
the quality benchmark on real pages (bench.bench_quality, on ../shared/devbench when it is there) with their own
tables. Every figure is a median of the repeats; every comparison is a ratio measured in the same
command. The machine's load average is printed at start and end: on a shared machine, read the ratios with it.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import time

from bench import bench_e2e, bench_load, bench_quality, bench_scaling
from bench.common import print_table, throwaway_database
from ingot.paths import PROJECT_ROOT


def loading() -> dict:
    """bench_load's measurement (its rows, COPY and the store alternating), returned instead of printed."""
    with throwaway_database() as url:
        articles = bench_load.synthetic_articles(bench_load.prepare(url))
        seconds = bench_load.alternating_seconds(url, {
            "copy": lambda: bench_load.load_with_copy(url, articles),
            "store": lambda: bench_load.load_with_store(url, articles),
        })
    return {"copy_rate": bench_load.ROWS / statistics.median(seconds["copy"]),
            "store_rate": bench_load.ROWS / statistics.median(seconds["store"]),
            "share": bench_load.share_of_copy(seconds, "store")}


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def summary_rows(e2e: dict, inc: dict, scaling: dict, load: dict) -> list[list[str]]:
    ingot, traf, naive = e2e["ingot"], e2e["trafilatura"], e2e["naive"]
    # the site's sitemap, feeds and lists: one request each is the target; robots.txt is the politeness request
    # every crawl day makes (counted apart, never an article)
    discovery = [path for path in inc["other_paths"] if path != "/robots.txt"]
    discovery_requests = inc["other_requests"] - inc["robots_requests"]
    budget = 1.1 * inc["new"] + len(discovery) + inc["robots_requests"]
    return [
        ["end to end: ingot articles/s (crawl + extract + store)", f"{ingot['rate']:.1f}", "", ""],
        ["end to end: speed vs naive Scrapy + trafilatura (wall ratio)", f"{naive['wall'] / ingot['wall']:.2f}x",
         ">= 2x", verdict(naive["wall"] / ingot["wall"] >= 2)],
        ["end to end: speed vs trafilatura's crawler (wall ratio)", f"{traf['wall'] / ingot['wall']:.2f}x", ">= 1x",
         verdict(traf["wall"] / ingot["wall"] >= 1)],
        ["end to end: CPU vs trafilatura's crawler (cpu ratio)", f"{traf['cpu'] / ingot['cpu']:.2f}x", "", ""],
        ["quality: articles complete and clean (ingot / trafilatura / naive)",
         f"{ingot['good']:.0%} / {traf['good']:.0%} / {naive['good']:.0%}", "ingot >= peers",
         verdict(ingot["good"] >= max(traf["good"], naive["good"]))],
        ["incremental: article requests per new article", f"{inc['article_requests'] / inc['new']:.2f}",
         "<= 1.1", verdict(inc["article_requests"] <= 1.1 * inc["new"])],
        ["incremental: list/feed/sitemap requests (" + ", ".join(discovery) + ")", f"{discovery_requests}",
         f"<= {len(discovery)} (one each)", verdict(discovery_requests <= len(discovery))],
        [f"incremental: all requests, {inc['new']} new articles (robots.txt: {inc['robots_requests']})",
         f"{inc['requests']}", f"<= {budget:.1f}", verdict(inc["requests"] <= budget)],
        ["incremental: article pages fetched twice", f"{inc['twice']}", "0", verdict(inc["twice"] == 0)],
        ["incremental: wall time vs full re-crawl", f"{inc['wall'] / inc['full_wall']:.2f}",
         "~ new work (2%) + fixed start-up", ""],
        ["extraction: ingot / bare trafilatura pages/s per core", f"{scaling['per_core_ratio']:.2f}", ">= 1.0",
         verdict(scaling["per_core_ratio"] >= 1.0)],
        [f"extraction: parallel efficiency on {scaling['workers']} cores (extract_pages)",
         f"{scaling['efficiency']:.2f}", ">= 1.7", verdict(scaling["efficiency"] >= 1.7)],
        ["extraction: the same from CPU time (speed-up on idle cores)", f"{scaling['cpu_efficiency']:.2f}",
         ">= 1.7", verdict(scaling["cpu_efficiency"] >= 1.7)],
        [f"extraction: this machine's ceiling ({scaling['workers']} busy-loop processes at once vs one)",
         f"{scaling['ceiling']:.2f}", "", ""],
        ["loading: article store rate / COPY rate", f"{load['share']:.2f}", ">= 0.5", verdict(load["share"] >= 0.5)],
    ]


def quality_rows(found: dict | None) -> list[list[str]]:
    """Summary rows of the devbench quality run: ingot against bare trafilatura on real pages."""
    if found is None:
        return [["quality on real pages (devbench)", "not run", "../shared/devbench missing", ""]]
    figures = bench_quality.summary(found["all"])
    ingot, traf = figures["ingot"], figures["trafilatura"]
    rows = []
    for key, label in (("snippet_f1", "snippet F1"), ("body_f1", "body F1 (text-gold pages)"), ("date", "date same day"),
                       ("authors", "authors F1"), ("title", "title exact")):
        rows.append([f"devbench: {label} (ingot / trafilatura)", f"{ingot[key]:.3f} / {traf[key]:.3f}",
                     ">= trafilatura", verdict(ingot[key] >= traf[key])])
    rows.append(["devbench: pages failed (F1 < 0.1 or no snippet found)", f"{ingot['fail']:.1%} / {traf['fail']:.1%}",
                 "<= 1%", verdict(ingot["fail"] <= 0.01)])
    rows.append(["devbench: pages where ingot loses (listed above with reasons)", str(found["losses"]), "", ""])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 articles, 1 repeat, no extra benchmarks")
    parser.add_argument("--articles", type=int, help="articles on the generated site (default 2000, quick 300)")
    parser.add_argument("--repeats", type=int, help="repeats per measurement (default 3, quick 1)")
    args = parser.parse_args()
    articles = args.articles or (300 if args.quick else 2000)
    repeats = args.repeats or (1 if args.quick else 3)
    started = time.perf_counter()
    # ingot's own modules as bytecode, as `make setup` leaves the installed packages: every crawler subprocess
    # would otherwise compile them again where the environment forbids writing .pyc files
    for package in ("ingot", "crawlers", "extract", "bench"):
        compileall.compile_dir(PROJECT_ROOT / package, quiet=1)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")

    e2e = bench_e2e.main(["--articles", str(articles), "--repeats", str(repeats)])
    scaling = bench_scaling.main(["--pages", str(min(articles, 400)), "--repeats", str(max(repeats, 5))])
    load = loading()
    print_table(f"Loading {bench_load.ROWS} article rows", ["path", "rows/s", "share of COPY rate"], [
        ["plain COPY (ceiling)", f"{load['copy_rate']:,.0f}", "1.00"],
        ["ingot article store", f"{load['store_rate']:,.0f}", f"{load['share']:.2f}"]])
    quality = None
    if not args.quick:
        for command in (["bench/bench_extract.py"], ["bench/bench_export.py", "--rows", "20000", "--small", "2000"]):
            print(f"\n$ python {' '.join(command)}", flush=True)
            subprocess.run([sys.executable, *command], cwd=PROJECT_ROOT, check=False)
        print("\n$ python -m bench.bench_quality", flush=True)
        quality = bench_quality.main([])

    print_table(f"Summary ({articles}-article generated site, medians of {repeats}; ratios measured in this run)",
                ["measure", "result", "target", ""],
                summary_rows(e2e["e2e"][1], e2e["incremental"][1], scaling["metrics"], load)
                + ([] if args.quick else quality_rows(quality)))
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
