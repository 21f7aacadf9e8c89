"""Loading: article rows per second through ingot's article store, against a plain COPY of the same rows.

The store does more than COPY (upsert on the canonical URL, recorded outcomes, duplicate clusters, and a commit
per batch, as the extraction job saves them), so COPY is the ceiling; the target is at least half its rate.

The synthetic texts are 300 words drawn at random from a 30-word vocabulary. That makes them compress far better
than real text, but not alike: their SimHash fingerprints are as far apart as unrelated articles' (11 of 64 bits
at the closest of the 8 million pairs, 32 on average; five make a near duplicate), so they hold no duplicate,
like a day of distinct stories. A second store row loads the other extreme, every article a copy of one story
with one word changed (a wire story everywhere, a template republished): one cluster of 4,000, which must cost
about as much, not grow with the cluster.

COPY and store runs alternate, and each store run is compared with the COPY run just before it, so that on a
shared machine a change of load hits both sides of a ratio alike; the share shown is the median of those ratios.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import time
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import psycopg

from bench.common import print_table, throwaway_database
from extract.dedupe import fingerprint_to_int64, simhash, text_sha256
from ingot.article_store import ARTICLE_COLUMNS, PageOutcome, save_outcomes
from ingot.extraction_job import BATCH_SIZE

ROWS = 4000
BATCH = BATCH_SIZE  # as the extraction job saves them
REPEATS = 5
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


def near_copies(page_ids: list[int]) -> list[dict]:
    """The synthetic articles with one text: each a copy of the first with one word changed."""
    rng = random.Random(11)
    words = synthetic_articles(page_ids[:1])[0]["text"].split(" ")
    copies = []
    for article in synthetic_articles(page_ids):
        changed = list(words)
        changed[rng.randrange(len(changed))] = rng.choice(WORDS)
        text = " ".join(changed)
        copies.append({**article, "text": text, "text_sha256": text_sha256(text),
                       "fingerprint": fingerprint_to_int64(simhash(text))})
    return copies


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


def alternating_seconds(url: str, loads: dict[str, Callable[[], object]]) -> dict[str, list[float]]:
    """Wall times of each load, REPEATS rounds of all of them in turn, each on emptied tables."""
    seconds: dict[str, list[float]] = {name: [] for name in loads}
    for _ in range(REPEATS):
        for name, load in loads.items():
            empty_tables(url)
            start = time.perf_counter()
            load()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def share_of_copy(seconds: dict[str, list[float]], name: str) -> float:
    """Median over the rounds of COPY's time over this load's time in the same round."""
    return statistics.median(c / s for c, s in zip(seconds["copy"], seconds[name]))


def main() -> None:
    with throwaway_database() as url:
        page_ids = prepare(url)
        articles, copies = synthetic_articles(page_ids), near_copies(page_ids)
        seconds = alternating_seconds(url, {
            "copy": lambda: load_with_copy(url, articles),
            "store": lambda: load_with_store(url, articles),
            "copies": lambda: load_with_store(url, copies),
        })
    rows = [[label, f"{ROWS / statistics.median(seconds[name]):,.0f}",
             "1.00" if name == "copy" else f"{share_of_copy(seconds, name):.2f}"]
            for name, label in (("copy", "plain COPY (ceiling)"), ("store", "ingot article store"),
                                ("copies", "ingot article store, all near copies of one story"))]
    print_table(f"Loading {ROWS} article rows ({REPEATS} alternating rounds)",
                ["path", "rows/s", "share of COPY rate"], rows)


if __name__ == "__main__":
    main()
