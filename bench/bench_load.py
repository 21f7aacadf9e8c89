"""Loading: article rows per second through ingot's article store, against a plain COPY of the same rows.

The store does more than COPY (upsert on the canonical URL, recorded outcomes, duplicate clusters), so COPY is
the ceiling; the target is at least half its rate.
"""

from __future__ import annotations

import hashlib
import random
import zlib
from datetime import datetime, timedelta, timezone

import psycopg

from bench.common import median_seconds, print_table, throwaway_database
from extract.dedupe import fingerprint_to_int64, simhash, text_sha256
from ingot.article_store import ARTICLE_COLUMNS, PageOutcome, save_outcomes

ROWS = 4000
BATCH = 200
WORDS = ("steel aluminium copper nickel output prices rose fell tonnes smelter carbon market export capacity "
         "quota lithium plant China India Europe demand supply mill scrap billet rebar coil").split()


def synthetic_articles(page_ids: list[int]) -> list[dict]:
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    articles = []
    for i, page_id in enumerate(page_ids):
        text = "\n".join(" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(5))
        articles.append({
            "canonical_url": f"https://bench.example/news/{i}.html", "url": f"https://bench.example/news/{i}.html",
            "site_key": "bench", "raw_page_id": page_id, "title": f"Steel market report {i}", "text": text,
            "text_sha256": text_sha256(text), "fingerprint": fingerprint_to_int64(simhash(text)),
            "authors": ["Li Wei"], "editor": None, "reviewers": {}, "original_source": "SMM",
            "published_at": start + timedelta(minutes=7 * i), "published_raw": None, "published_rule": "jsonld",
            "language": "en", "paywalled": False, "image_url": None, "categories": ["steel"], "keywords": [],
            "rule_version": 1, "extractor_version": "bench",
        })
    return articles


def prepare(url: str) -> list[int]:
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO site (key, name, base_url, timezone, rule_version, allowed_hosts) "
                     "VALUES ('bench', 'Bench', 'https://bench.example/', 'UTC', 1, '{bench.example}')")
        run_id = conn.execute("INSERT INTO crawl_run (site_key, news_day) VALUES ('bench', '2026-01-01') "
                              "RETURNING id").fetchone()[0]
        body = zlib.compress(b"<html></html>")
        with conn.cursor().copy("COPY raw_page (crawl_run_id, site_key, url, final_url, canonical_url, http_status,"
                                " body_zlib, body_size, body_sha256, fetched_at) FROM STDIN") as copy:
            for i in range(ROWS):
                page_url = f"https://bench.example/news/{i}.html"
                copy.write_row((run_id, "bench", page_url, page_url, page_url, 200, body, 13,
                                hashlib.sha256(b"x").hexdigest(), datetime.now(timezone.utc)))
        return [r[0] for r in conn.execute("SELECT id FROM raw_page ORDER BY id")]


def empty_tables(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("TRUNCATE article, page_extraction CASCADE")


def load_with_store(url: str, articles: list[dict]) -> None:
    with psycopg.connect(url) as conn:
        for start in range(0, len(articles), BATCH):
            save_outcomes(conn, [
                PageOutcome(raw_page_id=a["raw_page_id"], site_key="bench", rule_version=1, extractor_version="bench",
                            article=a) for a in articles[start:start + BATCH]
            ])


def load_with_copy(url: str, articles: list[dict]) -> None:
    with psycopg.connect(url) as conn:
        with conn.cursor().copy(f"COPY article ({', '.join(ARTICLE_COLUMNS)}) FROM STDIN") as copy:
            for a in articles:
                copy.write_row([psycopg.types.json.Jsonb(a[c]) if c == "reviewers" else a[c] for c in ARTICLE_COLUMNS])


def main() -> None:
    with throwaway_database() as url:
        articles = synthetic_articles(prepare(url))
        copy_s = median_seconds(lambda: load_with_copy(url, articles), setup=lambda: empty_tables(url))
        store_s = median_seconds(lambda: load_with_store(url, articles), setup=lambda: empty_tables(url))
    rows = [
        ["plain COPY (ceiling)", f"{ROWS / copy_s:,.0f}", "1.00"],
        ["ingot article store", f"{ROWS / store_s:,.0f}", f"{copy_s / store_s:.2f}"],
    ]
    print_table(f"Loading {ROWS} article rows (median of 3)", ["path", "rows/s", "share of COPY rate"], rows)


if __name__ == "__main__":
    main()
