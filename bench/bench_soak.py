"""Soak: several simulated days of one generated site, crawled and extracted as the daily DAG does, then an exact
check of the database against what the site published.

    .venv/bin/python -m bench.bench_soak [--articles 5000] [--days 4] [--workers 2]

Day 1 the site (bench.generated_site, served from memory by bench.static_server) holds ``articles - (days-1) *
new`` articles; each later day it publishes ``new`` more (top of the sitemap), edits ``updated`` of the
previous day's articles (revisited: the rule's ``revisit_days`` is 1) and removes ``removed`` articles (gone from
the sitemap and answering 404; some of them from the previous day, so the revisit meets the 404). What each day
stores is back-dated to that day, so the revisit window works on simulated time.

Per day: requests the server saw, new / updated articles, duplicate rows (must stay 0), errors (crawl failures +
extractor failures), and the peak resident memory (max RSS) of the crawler process and of the extraction
(parent and pool workers), each measured in a child of its own with ``getrusage(RUSAGE_CHILDREN)``.
Final check: the stored article URLs are exactly every article the site ever published, each edited article
holds its edit, and no page or article is stored twice.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg

from bench.common import print_table, throwaway_database
from bench.generated_site import SITE_KEY, sitemap_xml, write_site
from bench.static_server import StaticServer
from ingot.crawl_job import crawl_site
from ingot.settings import Settings

HOST = "www.metals-bench.com"
CRAWL_OVERRIDES = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "32",
                   "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "INGOT_OBEY_CRAWL_DELAY": "False", "RETRY_TIMES": "1"}
HEADER = ["day", "site articles", "requests", "new", "updated", "removed", "duplicate rows", "errors",
          "crawl s", "extract s", "crawl peak MB", "extract peak MB"]
# What a simulated day stored is moved back to that day (%s: days before today), so that the next day's
# revisit window sees it at the right age.
BACKDATE = ("UPDATE raw_page SET fetched_at = fetched_at - make_interval(days => %s) WHERE crawl_run_id = %s",
            "UPDATE article SET first_seen_at = first_seen_at - make_interval(days => %s) "
            "WHERE first_seen_at > now() - interval '1 hour'")
DUPLICATE_ROWS = """
SELECT (SELECT count(*) - count(DISTINCT (crawl_run_id, url)) FROM raw_page)
     + (SELECT count(*) - count(DISTINCT canonical_url) FROM article)
     + (SELECT count(*) FROM raw_page rp JOIN crawl_run cr ON cr.id = rp.crawl_run_id
        WHERE rp.kind = 'article' GROUP BY rp.url, cr.news_day HAVING count(*) > 1 LIMIT 1) IS NOT NULL::int
"""


def _max_rss_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def _crawl_child(settings: Settings, day: date, out) -> None:
    outcome = crawl_site(settings, SITE_KEY, day, overrides=CRAWL_OVERRIDES, progress=lambda line: None)
    out.send((outcome.status, outcome.stats, _max_rss_mb(resource.RUSAGE_CHILDREN)))


def _extract_child(db_url: str, sites_dir: Path, day: date, workers: int, out) -> None:
    from ingot.extraction_job import extract_pages
    from ingot.sites import load_sites

    summary = extract_pages(db_url, load_sites(sites_dir), site_key=SITE_KEY, day=day, workers=workers)
    out.send((summary, max(_max_rss_mb(resource.RUSAGE_SELF), _max_rss_mb(resource.RUSAGE_CHILDREN))))


def in_child(target, *args):
    """Run ``target(*args, pipe)`` in a fresh process; return what it sent and the seconds it took."""
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("spawn").Process(target=target, args=(*args, send))
    started = time.perf_counter()
    process.start()
    result = receive.recv()
    process.join()
    if process.exitcode:
        raise RuntimeError(f"{target.__name__} exited with {process.exitcode}")
    return result, time.perf_counter() - started


def stats_run_id(conn, day: date) -> int:
    return conn.execute("SELECT id FROM crawl_run WHERE site_key = %s AND news_day = %s", (SITE_KEY, day)).fetchone()[0]


def edit(path: Path, marker: str, encoding: str) -> None:
    html = path.read_bytes().decode(encoding)
    html = html.replace('<div class="article-body">\n', f'<div class="article-body">\n<p>{marker}</p>\n', 1)
    path.write_bytes(html.encode(encoding))


def soak(root: Path, db_url: str, articles: int, days: int, new: int, updated: int, removed: int,
         workers: int) -> list[list]:
    first_day = date.today() - timedelta(days=days - 1)
    server = StaticServer(root / "empty")
    (root / "empty").mkdir(exist_ok=True)
    base_url = f"http://{HOST}:{server.port}/"
    published: dict[str, int] = {}  # every URL the site ever published → article index
    edits: dict[str, str] = {}       # URL → marker of its latest edit that a revisit could see
    gone: set[int] = set()
    rows = []
    with server:
        for number in range(days):
            day = first_day + timedelta(days=number)
            site = write_site(root / f"day{number}", base_url, articles - (days - 1 - number) * new)
            specs = {spec.index: spec for spec in site.articles}
            yesterday = [i for i in specs if i >= len(specs) - new] if number else []
            previous_new = [i for i in specs if len(specs) - 2 * new <= i < len(specs) - new] if number else []
            todays_removed: list[int] = []
            if number:
                older = [i for i in specs if i not in gone and i < len(specs) - 2 * new]
                todays_removed = older[number::max(1, len(older) // max(1, removed - 2))][:removed - 2] \
                    + previous_new[-2:]
                gone.update(todays_removed)
                for index in previous_new[:updated]:
                    marker = f"UPDATE {index} on day {number}: figures revised."
                    spec = specs[index]
                    edit(site.web_dir / HOST / spec.path.lstrip("/"), marker, "gbk" if spec.section == "gbk" else "utf-8")
                    edits[spec.url] = marker
            for index in gone:
                (site.web_dir / HOST / specs[index].path.lstrip("/")).unlink(missing_ok=True)
            live = [spec for spec in site.articles[::-1] if spec.index not in gone]
            (site.web_dir / HOST / "sitemap.xml").write_text(sitemap_xml(live), encoding="utf-8")
            published.update({spec.url: spec.index for spec in live})
            server.load(site.web_dir)
            server.reset_log()
            del yesterday

            settings = Settings(database_url=db_url, home=root / "home", sites_dir=site.sites_dir,
                                contact_url="https://example.com/bench", news_timezone="Asia/Shanghai",
                                raw_retention_days=90, fixture_web=server.address)
            rule = site.sites_dir / f"{SITE_KEY}.yaml"
            rule.write_text(rule.read_text().replace("  concurrency: 2\n", "  concurrency: 2\n  revisit_days: 1\n"))
            (status, stats, crawl_mb), crawl_s = in_child(_crawl_child, settings, day)
            (summary, extract_mb), extract_s = in_child(_extract_child, db_url, site.sites_dir, day, workers)
            with psycopg.connect(db_url) as conn:
                duplicates = conn.execute(DUPLICATE_ROWS).fetchone()[0]
                back = days - 1 - number
                conn.execute(BACKDATE[0], (back, stats_run_id(conn, day)))
                conn.execute(BACKDATE[1], (back,))
            rows.append([day.isoformat(), len(live), len(server.requests()), summary.articles_new,
                         summary.articles_updated, len(todays_removed), duplicates, stats["errors"] + summary.failed,
                         round(crawl_s, 1), round(extract_s, 1), round(crawl_mb), round(extract_mb)])
            print(f"day {number + 1}: {status}, {rows[-1]}", file=sys.stderr)
    check = final_check(db_url, published, edits)
    return rows, check


def final_check(db_url: str, published: dict[str, int], edits: dict[str, str]) -> dict:
    with psycopg.connect(db_url) as conn:
        stored = dict(conn.execute("SELECT url, text FROM article WHERE site_key = %s", (SITE_KEY,)).fetchall())
        duplicates = conn.execute(DUPLICATE_ROWS).fetchone()[0]
        unextracted = conn.execute("SELECT count(*) FROM raw_page rp LEFT JOIN page_extraction pe ON "
                                   "pe.raw_page_id = rp.id WHERE rp.kind = 'article' AND rp.http_status = 200 "
                                   "AND pe.raw_page_id IS NULL").fetchone()[0]
    missing = sorted(set(published) - set(stored))
    unexpected = sorted(set(stored) - set(published))
    stale = sorted(url for url, marker in edits.items() if marker not in (stored.get(url) or ""))
    markers = re.compile(r"UPDATE \d+ on day \d+")
    spurious = sorted(url for url, text in stored.items() if url not in edits and markers.search(text or ""))
    return {"expected": len(published), "stored": len(stored), "missing": len(missing),
            "unexpected": len(unexpected), "edits": len(edits), "stale edits": len(stale),
            "spurious edits": len(spurious), "duplicate rows": duplicates, "unextracted": unextracted,
            "exact": not (missing or unexpected or stale or spurious or duplicates or unextracted),
            "samples": (missing + unexpected + stale + spurious)[:5]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles on the last day")
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--new", type=int, default=150, help="articles published per day after the first")
    parser.add_argument("--updated", type=int, default=20, help="previous-day articles edited per day")
    parser.add_argument("--removed", type=int, default=12, help="articles removed per day")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ingot-soak-") as tmp, throwaway_database() as db_url:
        rows, check = soak(Path(tmp), db_url, args.articles, args.days, args.new, args.updated, args.removed,
                           args.workers)
    print_table(f"Soak: {args.articles} articles over {args.days} days", HEADER, rows)
    print("final check: " + ", ".join(f"{k} {v}" for k, v in check.items() if k != "samples"))
    if not check["exact"]:
        print(f"MISMATCH, e.g. {check['samples']}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
