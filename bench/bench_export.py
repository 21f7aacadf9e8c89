"""Benchmark `ingot export`: rows per second and peak memory for each format, at 10,000 and 100,000 rows.

Inserts 100,000 synthetic articles (Chinese, French, English, Thai; 1-4 KB of text each) into a throwaway
database: a fresh embedded PostgreSQL in a temporary folder, or a new database on the server named by
INGOT_TEST_DATABASE_URL. Each export runs as its own `ingot export` process writing to /dev/null, and its peak
resident memory is read from the kernel (wait4), so the ratio of peak memory at 100k rows to 10k rows shows
whether the export streams (≈1) or accumulates (≈10).

    .venv/bin/python bench/bench_export.py [--rows 100000] [--small 10000] [--index]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingot.database import start_embedded_server, stop_embedded_server  # noqa: E402
from ingot.migrations import upgrade  # noqa: E402
from ingot.paths import MIGRATIONS_DIR  # noqa: E402

PARAGRAPHS = {
    "zh-Hans": "中铝集团坚持科技创新驱动，在赤泥综合利用、节能降碳技术研发、绿色能源开发利用、再生铝产业发展等方面"
    "取得了一系列新成果。电解铝产能总量严格控制，行业碳排放强度持续下降。",
    "fr": "L'Aluminium Stewardship Initiative a présenté sa norme de performance et sa chaîne de contrôle, qui "
    "visent à répondre aux questions de durabilité tout au long de la chaîne de valeur de l'aluminium.",
    "en": "Steelmakers discussed ultra-low emissions, carbon peaking and hydrogen-based direct reduction at the "
    "national green and low-carbon development conference, as scrap use and electric arc furnaces expand.",
    "th": "อุตสาหกรรมเหล็กของไทยเร่งปรับตัวสู่การผลิตเหล็กคาร์บอนต่ำ ควบคู่กับการใช้พลังงานหมุนเวียนและเศษเหล็ก"
    "เป็นวัตถุดิบ เพื่อรับมือมาตรการปรับคาร์บอนก่อนข้ามพรมแดนของสหภาพยุโรป",
}
COLUMNS = ("canonical_url", "url", "site_key", "title", "text", "text_sha256", "authors", "published_at", "language",
           "cluster_id", "is_canonical", "rule_version", "extractor_version")


@contextlib.contextmanager
def throwaway_database():
    configured = os.environ.get("INGOT_TEST_DATABASE_URL")
    folder = Path(tempfile.mkdtemp(prefix="ingot-bench-"))
    name = f"ingot_bench_{uuid.uuid4().hex[:8]}"
    maintenance = configured or start_embedded_server(folder / "pgdata")
    try:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = make_conninfo(maintenance, dbname=name)
        with psycopg.connect(url) as conn:
            upgrade(conn, MIGRATIONS_DIR)
        yield url
    finally:
        with contextlib.suppress(psycopg.Error), psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not configured:
            with contextlib.suppress(Exception):
                stop_embedded_server(folder / "pgdata")
        shutil.rmtree(folder, ignore_errors=True)


def insert_articles(url: str, rows: int, small: int) -> None:
    """``small`` rows on site bench_small, the rest on bench_big, in one COPY."""
    rng = random.Random(6)
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    with psycopg.connect(url) as conn:
        for key in ("bench_small", "bench_big"):
            conn.execute("INSERT INTO site (key, name, base_url, timezone, rule_version) "
                         "VALUES (%s, %s, %s, 'Asia/Shanghai', 1)", (key, key, f"https://{key}.example/"))
        with conn.cursor().copy(f"COPY article ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for n in range(rows):
                site = "bench_small" if n < small else "bench_big"
                language = rng.choice(list(PARAGRAPHS))
                text = "\n".join([PARAGRAPHS[language]] * rng.randint(4, 16)) + f"\n#{n}"
                url_n = f"https://{site}.example/news/{n}.html"
                copy.write_row((url_n, url_n, site, f"{PARAGRAPHS[language][:30]} {n}", text,
                                hashlib.sha256(text.encode()).hexdigest(), ["记者"], start + datetime.timedelta(
                                    minutes=n), language, None, True, 1, "bench"))
        conn.execute("ANALYZE article")


def timed_export(url: str, fmt: str, site: str | None) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `ingot export` process writing to /dev/null."""
    command = [sys.executable, "-m", "ingot.cli", "export", "--format", fmt, *(["--site", site] if site else [])]
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(command, stdout=sink, env={**os.environ, "INGOT_DATABASE_URL": url})
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"ingot export --format {fmt} failed")
    return elapsed, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--index", action="store_true", help="also index and tag the rows (and time it)")
    args = parser.parse_args(argv)
    with throwaway_database() as url:
        started = time.perf_counter()
        insert_articles(url, args.rows, args.small)
        print(f"inserted {args.rows} synthetic articles in {time.perf_counter() - started:.1f} s")
        if args.index:
            from ingot.indexing import index_articles

            started = time.perf_counter()
            count = index_articles(url)
            elapsed = time.perf_counter() - started
            print(f"indexed {count} articles in {elapsed:.1f} s ({count / elapsed:,.0f} rows/s)")
        print(f"{'format':<8} {'rows':>8} {'seconds':>8} {'rows/s':>9} {'peak RSS MB':>12}")
        for fmt in ("jsonl", "csv", "parquet"):
            peaks = []
            for rows, site in ((args.small, "bench_small"), (args.rows, None)):
                elapsed, peak = timed_export(url, fmt, site)
                peaks.append(peak)
                print(f"{fmt:<8} {rows:>8} {elapsed:>8.2f} {rows / elapsed:>9,.0f} {peak:>12.1f}")
            print(f"{fmt:<8} peak memory at {args.rows} rows / at {args.small} rows = {peaks[1] / peaks[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
