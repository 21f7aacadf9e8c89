"""Benchmark the analysts' search at scale: news.search_articles and news.stories on a generated corpus.

Generates --articles articles (default 1,000,000; see bench/search_corpus.py: five languages, Zipf vocabularies,
realistic lengths, three years of dates, one in ten a copy on another site) and loads them by COPY into a scratch
database on the embedded server, with search documents built as ingot.indexing builds them, the story table, and
three years of crawl runs (raw pages for the last 90 days, as retention keeps). Then times, as the reader role
would run them, the top 20 stories for a one-word, a two-word and a phrase query, each common (a word in about
40% of its language's articles) and rare (about 0.1%), with and without a half-year date range, in English and
in Chinese; `news.stories` for one story; and `news.daily_site_stats` for a week and for one site's quarter.
Each case runs several different words of the same frequency, several times: p50 and p95 in milliseconds.

    .venv/bin/python -m bench.bench_search [--articles 1000000] [--repeats 3] [--keep-at DIR]

--keep-at keeps the embedded server's data in DIR and reuses a corpus of the same size loaded there before (the
load of a million articles takes most of an hour on two cores). Not a CI test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import search_corpus  # noqa: E402
from bench.common import print_table  # noqa: E402
from ingot.database import start_embedded_server, stop_embedded_server  # noqa: E402
from ingot.migrations import upgrade  # noqa: E402
from ingot.paths import MIGRATIONS_DIR  # noqa: E402

CHUNK = 2000
SEED = 16
TARGET_SEARCH_MS = 150
TARGET_STORY_MS = 20
RETENTION_DAYS = 90
# Vocabulary ranks: about 40% of a language's articles hold a word of rank ~70, about 0.1% one of rank ~24,000;
# words of rank ~5 are in nearly every article, so two of them side by side make a common phrase.
COMMON, RARE, VERY_COMMON = range(60, 110, 10), range(22_000, 27_000, 1000), range(4, 9)
INDEXES = ("article_index_document_idx", "article_index_topics_idx", "article_index_newest_idx")

_vocabularies: dict | None = None


def stems(conn: psycopg.Connection):
    def stem(config: str, words: list[str]) -> list[str | None]:
        rows = conn.execute(
            "SELECT w, (SELECT min(lexeme) FROM unnest(to_tsvector(%s::regconfig, w)) AS l) "
            "FROM unnest(%s::text[]) AS w", (config, words)).fetchall()
        found = dict(rows)
        return [found[w] for w in words]
    return stem


def _init_worker(vocabularies: dict) -> None:
    global _vocabularies
    _vocabularies = vocabularies


def _chunk_rows(job: tuple[int, int, datetime.date]) -> tuple[int, str, str, list[tuple]]:
    """COPY text of one chunk's articles and index rows, and (id, site, published_at, canonical_url) of each."""
    chunk, chunks, today = job
    articles = search_corpus.generate_chunk(_vocabularies, chunk, chunks, CHUNK, SEED, today)
    seen = datetime.datetime.combine(today, datetime.time(), datetime.UTC)
    rows = "".join(search_corpus.article_row(a, a.published_at or seen) for a in articles)
    index = "".join(search_corpus.index_row(a, a.published_at or seen) for a in articles)
    return chunk, rows, index, [(a.id, a.site.key, a.published_at) for a in articles]


def load(url: str, count: int, workers: int, today: datetime.date) -> dict:
    with psycopg.connect(url, autocommit=True) as conn:
        vocabularies = search_corpus.vocabularies(np.random.default_rng(SEED), stems(conn))
        started = time.perf_counter()
        for site in search_corpus.sites():
            conn.execute("INSERT INTO site (key, name, base_url, languages, timezone, rule_version) "
                         "VALUES (%s, %s, %s, %s, %s, 1)",
                         (site.key, site.key, f"https://{site.key}.example/", [site.language], site.timezone))
        # indexes are built once after the load, and the foreign key checked once: the two COPYs run side by side
        definitions = [conn.execute("SELECT pg_get_indexdef(%s::regclass)", (name,)).fetchone()[0]
                       for name in INDEXES]
        for name in INDEXES:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        foreign_key = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'article_index'::regclass AND contype = 'f'").fetchone()
        conn.execute(sql.SQL("ALTER TABLE article_index DROP CONSTRAINT {}").format(sql.Identifier(foreign_key[0])))
        definitions.append(sql.SQL("ALTER TABLE article_index ADD CONSTRAINT {} {}").format(
            sql.Identifier(foreign_key[0]), sql.SQL(foreign_key[1])))
    chunks = max(1, count // CHUNK)
    recent_from = datetime.datetime.combine(today - datetime.timedelta(days=RETENTION_DAYS), datetime.time(),
                                            datetime.UTC)
    recent: list[tuple] = []
    with psycopg.connect(url) as articles, psycopg.connect(url) as index, \
            multiprocessing.get_context("fork").Pool(workers, _init_worker, (vocabularies,)) as pool:
        with articles.cursor().copy(
                "COPY article (id, canonical_url, url, site_key, title, text, text_sha256, cluster_id, is_canonical, "
                "published_at, language, rule_version, extractor_version, first_seen_at, extracted_at) "
                "FROM STDIN") as article_copy, \
             index.cursor().copy(
                "COPY article_index (article_id, search_document, topics, vocabulary_version, index_format, "
                "article_extracted_at, site_key, language, published_at, news_day) FROM STDIN") as index_copy:
            for done, (_, rows, index_rows, kept) in enumerate(
                    pool.imap(_chunk_rows, [(c, chunks, today) for c in range(chunks)]), 1):
                article_copy.write(rows)
                index_copy.write(index_rows)
                recent += [k for k in kept if k[2] and k[2] >= recent_from]
                if done % 25 == 0 or done == chunks:
                    rate = done * CHUNK / (time.perf_counter() - started)
                    print(f"  loaded {done * CHUNK:,} articles ({rate:,.0f}/s)", flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT setval('article_id_seq', (SELECT max(id) FROM article))")
        add_crawl_history(conn, today, recent)
        conn.execute("SET maintenance_work_mem = '1GB'")
        for definition in definitions:
            conn.execute(definition)
        conn.execute("SELECT rebuild_stories()")
        conn.execute("VACUUM ANALYZE")
        conn.execute(sql.SQL("COMMENT ON TABLE article_index IS {}").format(
            sql.Literal(f"bench corpus: {chunks * CHUNK}")))
    return {"seconds": time.perf_counter() - started}


def add_crawl_history(conn: psycopg.Connection, today: datetime.date, recent: list[tuple]) -> None:
    """A crawl run per site and day for YEARS years; a raw page and its outcome for each article of the last
    RETENTION_DAYS days (older raw pages are pruned by retention)."""
    first = today - datetime.timedelta(days=365 * search_corpus.YEARS)
    conn.execute(
        "INSERT INTO crawl_run (site_key, news_day, status, started_at, finished_at, stats) "
        "SELECT s.key, d::date, 'succeeded', d, d + interval '20 minutes', '{\"requests\": 40}' "
        "FROM site s CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') AS d", (first, today))
    runs = {(site, day): run_id for run_id, site, day in conn.execute(
        "SELECT id, site_key, news_day FROM crawl_run WHERE news_day >= %s",
        (today - datetime.timedelta(days=RETENTION_DAYS + 2),))}
    with conn.cursor().copy("COPY raw_page (crawl_run_id, site_key, url, final_url, canonical_url, http_status, "
                            "body_zlib, body_size, body_sha256, fetched_at) FROM STDIN") as copy:
        for article_id, site, published in recent:
            run = runs.get((site, published.date()))
            if run is None:
                continue
            url = f"https://{site}.example/news/{article_id}.html"
            copy.write_row((run, site, url, url, url, 200, b"x", 1, "0" * 64, published))
    conn.execute(
        "INSERT INTO page_extraction (raw_page_id, outcome, article_id, rule_version, extractor_version) "
        "SELECT p.id, 'article', a.id, 1, 'bench' FROM raw_page p JOIN article a ON a.canonical_url = p.canonical_url")


def corpus_size(url: str) -> int:
    """Articles of a corpus whose load finished (the last step writes the comment), else 0."""
    try:
        with psycopg.connect(url) as conn:
            done = conn.execute("SELECT obj_description('article_index'::regclass, 'pg_class')").fetchone()[0]
            return int(done.removeprefix("bench corpus: ")) if done and done.startswith("bench corpus: ") else 0
    except psycopg.Error:
        return 0


def queries(vocabularies: dict, today: datetime.date) -> list[tuple[str, str, list[str], tuple]]:
    """(language, case, query texts, (since, until)) for every case the targets name."""
    window = (today - datetime.timedelta(days=365), today - datetime.timedelta(days=182))
    cases = []
    for language in ("en", "zh-Hans"):
        words = vocabularies[language].words
        pick = lambda ranks: [words[r] for r in ranks]  # noqa: E731
        phrase_join = " " if language == "en" else ""
        forms = {
            "one word, common": pick(COMMON),
            "one word, rare": pick(RARE),
            "two words, common": [f"{a} {b}" for a, b in zip(pick(COMMON), pick(range(65, 115, 10)))],
            "two words, rare": [f"{a} {b}" for a, b in zip(pick(RARE), pick(COMMON))],
            "phrase, common": [f'"{a}{phrase_join}{b}"' for a, b in zip(pick(VERY_COMMON), pick(range(5, 10)))],
            "phrase, rare": [f'"{a}{phrase_join}{b}"' for a, b in zip(pick(COMMON), pick(range(65, 115, 10)))],
        }
        for form, texts in forms.items():
            cases.append((language, form, texts, (None, None)))
            cases.append((language, form + ", half-year range", texts, window))
    return cases


def time_ms(conn: psycopg.Connection, statement: str, params) -> tuple[float, list]:
    start = time.perf_counter()
    rows = conn.execute(statement, params).fetchall()
    return (time.perf_counter() - start) * 1000, rows


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


SEARCH = ("SELECT id, total, total_is_exact FROM news.search_articles(%s, since => %s, until => %s, "
          "max_results => 20)")


def measure(url: str, repeats: int, today: datetime.date) -> list[list[str]]:
    with psycopg.connect(url) as conn:
        vocabularies = search_corpus.vocabularies(np.random.default_rng(SEED), stems(conn))
        conn.execute("SET ROLE ingot_reader")
        conn.execute("SET search_path = news")
        rows, worst = [], 0.0
        for language, case, texts, (since, until) in queries(vocabularies, today):
            times, totals = [], []
            for text in texts:  # warm the plan and the pages once, as a session running searches would
                conn.execute(SEARCH, (text, since, until)).fetchall()
            for _ in range(repeats):
                for text in texts:
                    ms, found = time_ms(conn, SEARCH, (text, since, until))
                    times.append(ms)
                    totals.append(f"{found[0][1]}{'' if found[0][2] else '+'}" if found else "0")
            p95 = percentile(times, 0.95)
            worst = max(worst, p95)
            rows.append([language, case, f"{statistics.median(times):.0f}", f"{p95:.0f}",
                         "ok" if p95 <= TARGET_SEARCH_MS else "SLOW", " ".join(sorted(set(totals), key=len)[:3])])
        clusters = [r[0] for r in conn.execute(
            "SELECT cluster_id FROM news.stories WHERE copies > 1 ORDER BY cluster_id LIMIT 5000").fetchall()]
        chosen = random.Random(SEED).sample(clusters, min(50, len(clusters)))
        story_times = [time_ms(conn, "SELECT * FROM news.stories WHERE cluster_id = %s", (c,))[0]
                       for _ in range(repeats) for c in chosen]
        p95 = percentile(story_times, 0.95)
        rows.append(["-", "stories: one story (all columns)", f"{statistics.median(story_times):.1f}", f"{p95:.1f}",
                     "ok" if p95 <= TARGET_STORY_MS else "SLOW", f"{len(chosen)} stories"])
        for label, statement in (
                ("daily_site_stats: every site, last 7 days",
                 "SELECT * FROM news.daily_site_stats WHERE news_day >= current_date - 7"),
                ("daily_site_stats: one site, last 90 days",
                 "SELECT * FROM news.daily_site_stats WHERE site = 'en00' AND news_day >= current_date - 90")):
            stats_times = [time_ms(conn, statement, None)[0] for _ in range(repeats)]
            rows.append(["-", label, f"{statistics.median(stats_times):.0f}", f"{max(stats_times):.0f}", "", ""])
    return rows


def main(argv: list[str] | None = None) -> list[list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000, help="corpus size (default 1,000,000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each query text (default 3)")
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2)), help="generator processes")
    parser.add_argument("--keep-at", type=Path, metavar="DIR",
                        help="keep the embedded server's data here and reuse a corpus of this size")
    args = parser.parse_args(argv)
    today = datetime.date.today()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    scratch = None if args.keep_at else tempfile.TemporaryDirectory(prefix="ingot-bench-search-")
    data_dir = args.keep_at or Path(scratch.name) / "pg"
    server = start_embedded_server(data_dir)
    name = f"bench_search_{args.articles}"
    url = make_conninfo(server, dbname=name)
    try:
        if corpus_size(url) != args.articles // CHUNK * CHUNK:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            with psycopg.connect(url) as conn:
                upgrade(conn, MIGRATIONS_DIR)
            print(f"loading {args.articles:,} generated articles into {name} ...", flush=True)
            loaded = load(url, args.articles, args.workers, today)
            print(f"loaded in {loaded['seconds'] / 60:.1f} min")
        with psycopg.connect(url) as conn:
            size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        rows = measure(url, args.repeats, today)
        print_table(f"news.search_articles, top 20 stories, {args.articles:,} articles ({size}); milliseconds, "
                    f"target p95 <= {TARGET_SEARCH_MS} (stories <= {TARGET_STORY_MS})",
                    ["language", "query", "p50", "p95", "", "matching stories"], rows)
        print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return rows
    finally:
        if scratch is not None:
            stop_embedded_server(data_dir)
            scratch.cleanup()


if __name__ == "__main__":
    main()
