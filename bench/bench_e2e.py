"""End to end and incremental day: crawl + extract + store of a generated site, ingot against its peers.

    .venv/bin/python -m bench.bench_e2e [--articles 2000] [--repeats 3]

Every system crawls the same generated site (bench.generated_site) from the same in-memory loopback server
(bench.static_server), politeness delays off:

- ingot: ``ingot.crawl_extract.crawl_and_extract``, what the daily DAG's crawl task runs: the Scrapy subprocess
  (delays off, 16 requests per domain) while this process extracts the pages it stores (process pool of one
  worker per core), into a throwaway database;
- trafilatura: its own sitemap search, threaded downloads and bare_extraction (bench.peer_trafilatura);
- naive: a tutorial Scrapy spider with trafilatura in the callback and one INSERT per article (bench.peer_naive).

Wall time and CPU time (this process and its reaped children: the crawler and peer subprocesses, the extraction
pool; not the database server) are medians over the repeats, the systems alternating within each repeat.
Quality: share of the site's articles whose stored body holds every known sentence and none of the boilerplate.

The incremental day: after a full crawl, the site gains 2% new articles (top of the sitemap); the next day's
crawl + extraction is timed and its requests counted from the server's log, against a full re-crawl of the
same grown site into an empty database.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import psycopg

from bench.common import print_table, throwaway_database
from bench.generated_site import GeneratedSite, SITE_KEY, quality_share, write_site
from bench.static_server import StaticServer
from ingot.crawl_extract import crawl_and_extract
from ingot.paths import PROJECT_ROOT
from ingot.settings import Settings

HOST = "www.metals-bench.com"
DAY = date(2026, 4, 1)
# The crawler's own settings with politeness off, for this benchmark only.
CRAWL_OVERRIDES = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "32",
                   "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "INGOT_OBEY_CRAWL_DELAY": "False",
                   "LOG_LEVEL": "INFO"}
NAIVE_TABLE = ("CREATE TABLE IF NOT EXISTS naive_article (id bigserial PRIMARY KEY, url text, title text, text text, "
               "published text, author text)")


E2E_HEADER = ["system", "wall s", "cpu s", "articles/s", "wall vs ingot", "cpu vs ingot", "requests", "found",
              "complete", "clean", "good"]
INCREMENTAL_HEADER = ["run", "requests", "article requests", "wall s", "wall vs full", "detail", "fetched twice"]


@dataclass
class Run:
    wall: float
    cpu: float
    articles: int
    texts: dict[str, str] = field(default_factory=dict)
    requests: list = field(default_factory=list)


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measured(func) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = func()
    return time.perf_counter() - wall, cpu_seconds() - cpu, result


def empty_database(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("TRUNCATE crawl_run, raw_page, article, page_extraction CASCADE")
        conn.execute(NAIVE_TABLE)
        conn.execute("TRUNCATE naive_article")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


class Bench:
    """The generated site, its server and a throwaway database, for every run of one benchmark command."""

    def __init__(self, root: Path, db_url: str, articles: int, workers: int):
        self.root, self.db_url, self.workers = root, db_url, workers
        self.server = StaticServer(root / "empty")
        self.base_url = f"http://{HOST}:{self.server.port}/"
        (root / "empty").mkdir(exist_ok=True)
        self.site = write_site(root / "day1", self.base_url, articles)
        self.grown = write_site(root / "day2", self.base_url, articles, new_articles=max(1, articles // 50))
        self.server.web_dir = self.site.web_dir

    def settings(self, site: GeneratedSite) -> Settings:
        return Settings(database_url=self.db_url, home=self.root / "home", sites_dir=site.sites_dir,
                        contact_url="https://example.com/bench", news_timezone="Asia/Shanghai",
                        raw_retention_days=90, fixture_web=self.server.address)

    def serve(self, site: GeneratedSite) -> None:
        self.server.load(site.web_dir)

    # -- the three systems ------------------------------------------------------------------------------------

    def ingot(self, site: GeneratedSite, day: date = DAY, *, fresh: bool = True) -> Run:
        if fresh:
            empty_database(self.db_url)
        self.server.reset_log()
        settings = self.settings(site)

        def work():
            done = crawl_and_extract(settings, SITE_KEY, day, workers=self.workers, overrides=CRAWL_OVERRIDES,
                                     progress=lambda line: None)
            if done.crawl_error or done.extraction_error:
                raise RuntimeError(f"ingot's run failed: {done.crawl_error or done.extraction_error}")
            return done.extraction

        wall, cpu, summary = measured(work)
        requests = self.server.requests()
        with psycopg.connect(self.db_url) as conn:
            texts = dict(conn.execute("SELECT url, text FROM article WHERE site_key = %s", (SITE_KEY,)).fetchall())
        return Run(wall, cpu, summary.articles_new + summary.articles_updated, texts, requests)

    def trafilatura(self, site: GeneratedSite) -> Run:
        self.server.reset_log()
        out = self.root / "trafilatura.json"
        command = [sys.executable, "-m", "bench.peer_trafilatura", site.base_url, str(out), "--threads", "16"]
        wall, cpu, _ = measured(lambda: subprocess.run(command, cwd=PROJECT_ROOT, check=True,
                                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        articles = json.loads(out.read_text(encoding="utf-8"))["articles"]
        return Run(wall, cpu, len(articles), {a["url"]: a["text"] for a in articles}, self.server.requests())

    def naive(self, site: GeneratedSite) -> Run:
        empty_database(self.db_url)
        self.server.reset_log()
        command = [sys.executable, "-m", "scrapy", "runspider", str(PROJECT_ROOT / "bench" / "peer_naive.py"),
                   "-a", f"sitemap={site.base_url}sitemap.xml", "-a", f"db={self.db_url}",
                   "-s", "DNS_RESOLVER=bench.peer_naive.LoopbackResolver"]
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        env["PYTHONPATH"] = str(PROJECT_ROOT)
        # outside the checkout, so that scrapy.cfg does not bring in ingot's own project settings
        wall, cpu, _ = measured(lambda: subprocess.run(command, cwd=self.root, env=env, check=True,
                                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with psycopg.connect(self.db_url) as conn:
            texts = dict(conn.execute("SELECT url, text FROM naive_article").fetchall())
        return Run(wall, cpu, len(texts), texts, self.server.requests())


def article_paths(requests) -> list[str]:
    return [path for method, host, path, status in requests if "/article-" in path]


def end_to_end(bench: Bench, repeats: int) -> tuple[list[list[object]], dict]:
    bench.serve(bench.site)
    runs: dict[str, list[Run]] = {"ingot": [], "trafilatura (sitemap + threads)": [], "naive Scrapy + trafilatura": []}
    for _ in range(repeats):
        runs["ingot"].append(bench.ingot(bench.site))
        runs["trafilatura (sitemap + threads)"].append(bench.trafilatura(bench.site))
        runs["naive Scrapy + trafilatura"].append(bench.naive(bench.site))
    expectations = bench.site.expectations()
    total = len(expectations)
    medians = {name: (statistics.median(r.wall for r in rs), statistics.median(r.cpu for r in rs))
               for name, rs in runs.items()}
    ingot_wall, ingot_cpu = medians["ingot"]
    rows, metrics = [], {}
    for name, rs in runs.items():
        wall, cpu = medians[name]
        quality = quality_share(rs[-1].texts, expectations)
        metrics[name.split()[0]] = {"wall": wall, "cpu": cpu, "rate": total / wall, **quality}
        rows.append([name, f"{wall:.1f}", f"{cpu:.1f}", f"{total / wall:.1f}", f"{wall / ingot_wall:.2f}",
                     f"{cpu / ingot_cpu:.2f}", f"{len(rs[-1].requests)}", f"{quality['found']:.0%}",
                     f"{quality['complete']:.0%}", f"{quality['clean']:.0%}", f"{quality['good']:.0%}"])
    return rows, metrics


def incremental(bench: Bench) -> tuple[list[list[object]], dict]:
    """Day 1 full, day 2 incremental (2% new); then the grown site fully re-crawled into an empty database."""
    bench.serve(bench.site)
    first = bench.ingot(bench.site, DAY)
    bench.serve(bench.grown)
    day2 = bench.ingot(bench.grown, DAY + timedelta(days=1), fresh=False)
    full = bench.ingot(bench.grown, DAY + timedelta(days=1))
    new = len(bench.grown.articles) - len(bench.site.articles)
    fetched = article_paths(day2.requests)
    twice = sum(n - 1 for n in Counter(fetched).values() if n > 1) + len(set(fetched) & set(article_paths(first.requests)))
    other = len(day2.requests) - len(fetched)
    metrics = {"new": new, "article_requests": len(fetched), "other_requests": other, "twice": twice,
               "robots_requests": sum(1 for _, _, path, _ in day2.requests if path == "/robots.txt"),
               "other_paths": sorted({path for _, _, path, _ in day2.requests if "/article-" not in path}),
               "wall": day2.wall, "full_wall": full.wall, "requests": len(day2.requests),
               "full_requests": len(full.requests)}
    return [
        ["full re-crawl (grown site, empty db)", len(full.requests), len(article_paths(full.requests)),
         f"{full.wall:.1f}", "1.00", "", ""],
        ["incremental day (2% new)", len(day2.requests), len(fetched), f"{day2.wall:.1f}",
         f"{day2.wall / full.wall:.2f}", f"{new} new, {len(fetched) / new:.2f} article req/new, {other} other",
         f"{twice}"],
    ], metrics


def main(argv: list[str] | None = None) -> dict[str, tuple[list, dict]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip", nargs="*", default=[], choices=["e2e", "incremental"])
    args = parser.parse_args(argv)
    tables = {}
    with tempfile.TemporaryDirectory(prefix="ingot-e2e-") as tmp, throwaway_database() as db_url:
        bench = Bench(Path(tmp), db_url, args.articles, args.workers)
        with bench.server:
            if "e2e" not in args.skip:
                tables["e2e"] = end_to_end(bench, args.repeats)
                print_table(f"End to end: crawl + extract + store, {args.articles} articles, loopback, delays off "
                            f"(median of {args.repeats})",
                            E2E_HEADER, tables["e2e"][0])
            if "incremental" not in args.skip:
                tables["incremental"] = incremental(bench)
                print_table("Incremental day (ingot)", INCREMENTAL_HEADER, tables["incremental"][0])
    return tables


if __name__ == "__main__":
    main()
