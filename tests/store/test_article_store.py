"""The article store against a real Postgres: idempotent upserts, recorded outcomes, clusters, bounded lookups."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from ingot.article_clusters import (
    BANDS, CLUSTER_WINDOW_DAYS, DUPLICATE_CLUSTERS, MAX_DUPLICATES_READ, MIN_CLUSTER_TEXT, NEAR_DUPLICATE_BITS,
)
from ingot.article_store import PageOutcome, save_outcomes
from tests.store.pages import add_crawl_run, add_raw_page, add_site

DAY = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
FINGERPRINT = 0x2D5A_93C4_71E8_0F36


@pytest.fixture
def conn(db_url):
    with psycopg.connect(db_url, autocommit=True) as connection:
        add_site(connection, "alpha", hosts=("alpha.example",))
        yield connection


class Pages:
    """Raw pages to hang outcomes on, one per call, all of one crawl run."""

    def __init__(self, conn):
        self.conn, self.run, self.count = conn, add_crawl_run(conn, "alpha"), 0

    def __call__(self) -> int:
        self.count += 1
        return add_raw_page(self.conn, self.run, "alpha", f"https://alpha.example/p/{self.count}", b"<html></html>")


def article(page_id: int, slug: str, *, text: str | None = None, fingerprint: int | None = FINGERPRINT,
            published_at: datetime | None = DAY, title: str = "Copper output rises") -> PageOutcome:
    text = text if text is not None else f"Story {slug}: smelters raised copper output for a third month. " * 3
    return PageOutcome(raw_page_id=page_id, site_key="alpha", rule_version=1, extractor_version="t", article={
        "canonical_url": f"https://alpha.example/news/{slug}", "url": f"https://alpha.example/news/{slug}",
        "site_key": "alpha", "raw_page_id": page_id, "title": title, "text": text,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "fingerprint": signed(fingerprint),
        "authors": ["Li Wei"], "editor": None, "reviewers": {}, "original_source": None,
        "published_at": published_at, "published_raw": None, "published_rule": "jsonld", "language": "en",
        "paywalled": False, "image_url": None, "categories": [], "keywords": [], "rule_version": 1,
        "extractor_version": "t",
    })


def signed(fingerprint: int | None) -> int | None:
    if fingerprint is None:
        return None
    fingerprint &= (1 << 64) - 1
    return fingerprint - (1 << 64) if fingerprint >= 1 << 63 else fingerprint


def flipped(fingerprint: int, bits: int, start: int = 0) -> int:
    """The fingerprint with ``bits`` bits flipped, spread over the word so they fall in different bands."""
    for i in range(bits):
        fingerprint ^= 1 << ((start + 11 * i) % 64)
    return fingerprint


def rejection(page_id: int, reason: str = "not_article") -> PageOutcome:
    return PageOutcome(raw_page_id=page_id, site_key="alpha", rule_version=1, extractor_version="t",
                       reason=reason, detail="a list page")


def rows(conn) -> dict[str, tuple]:
    """url slug -> (id, cluster_id, is_canonical)."""
    return {r[0].rsplit("/", 1)[1]: r[1:] for r in conn.execute(
        "SELECT canonical_url, id, cluster_id, is_canonical FROM article ORDER BY id")}


def test_every_outcome_is_recorded_with_its_article(conn):
    pages = Pages(conn)
    a, b, c = pages(), pages(), pages()
    counts = save_outcomes(conn, [article(a, "a"), rejection(b), article(c, "c", fingerprint=~FINGERPRINT)])
    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)
    ids = {slug: row[0] for slug, row in rows(conn).items()}
    recorded = {r[0]: r[1:] for r in conn.execute(
        "SELECT raw_page_id, outcome, reason, detail, article_id, rule_version, extractor_version "
        "FROM page_extraction")}
    assert recorded == {
        a: ("article", None, None, ids["a"], 1, "t"),
        b: ("rejected", "not_article", "a list page", None, 1, "t"),
        c: ("article", None, None, ids["c"], 1, "t"),
    }


def test_the_last_copy_of_a_url_in_a_batch_wins_and_every_page_points_at_it(conn):
    pages = Pages(conn)
    first, second, other = pages(), pages(), pages()
    counts = save_outcomes(conn, [article(first, "x", title="Draft"), article(other, "y", fingerprint=~FINGERPRINT),
                                  article(second, "x", title="Final")])
    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)
    title, raw_page_id, article_id = conn.execute(
        "SELECT title, raw_page_id, id FROM article WHERE canonical_url LIKE '%/x'").fetchone()
    assert (title, raw_page_id) == ("Final", second)
    pointed = dict(conn.execute("SELECT raw_page_id, article_id FROM page_extraction WHERE raw_page_id IN (%s, %s)",
                                (first, second)).fetchall())
    assert pointed == {first: article_id, second: article_id}
    # the ids follow the batch order of the copies kept: y came before the last copy of x
    assert rows(conn)["y"][0] < rows(conn)["x"][0]


def test_a_re_extraction_keeps_the_id_and_rewrites_only_changed_content(conn):
    pages = Pages(conn)
    page = pages()
    save_outcomes(conn, [article(page, "a")])
    before = conn.execute("SELECT id, extracted_at, raw_page_id FROM article").fetchone()
    refetch = pages()
    counts = save_outcomes(conn, [article(refetch, "a")])  # same content from a new fetch
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1)
    assert conn.execute("SELECT id, extracted_at, raw_page_id FROM article").fetchone() == before
    assert conn.execute("SELECT article_id FROM page_extraction WHERE raw_page_id = %s",
                        (refetch,)).fetchone()[0] == before[0]
    counts = save_outcomes(conn, [article(page, "a", title="Copper output rises again")])
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 0)
    after = conn.execute("SELECT id, extracted_at, title FROM article").fetchone()
    assert after[0] == before[0] and after[1] > before[1] and after[2] == "Copper output rises again"


def test_a_rejection_replaces_an_earlier_outcome_of_the_same_page(conn):
    pages = Pages(conn)
    page = pages()
    save_outcomes(conn, [article(page, "a")])
    save_outcomes(conn, [rejection(page, "paywall")])
    assert conn.execute("SELECT outcome, reason, article_id FROM page_extraction").fetchall() == [
        ("rejected", "paywall", None)]


def test_a_rejected_page_that_becomes_a_new_article_has_its_outcome_replaced(conn):
    """All the batch's articles are new, so its outcomes are copied in; one page has an outcome already (a rule
    fix turned a rejected page into an article), so the copy gives way to the upsert, and nothing is lost."""
    pages = Pages(conn)
    once_rejected, fresh = pages(), pages()
    save_outcomes(conn, [rejection(once_rejected)])
    counts = save_outcomes(conn, [article(once_rejected, "a"), article(fresh, "b", fingerprint=~FINGERPRINT)])
    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)
    ids = {slug: row[0] for slug, row in rows(conn).items()}
    recorded = dict((r[0], r[1:]) for r in conn.execute(
        "SELECT raw_page_id, outcome, reason, article_id FROM page_extraction"))
    assert recorded == {once_rejected: ("article", None, ids["a"]), fresh: ("article", None, ids["b"])}


def test_exact_and_near_copies_share_the_cluster_of_the_smallest_id(conn):
    pages = Pages(conn)
    save_outcomes(conn, [article(pages(), "original")])
    same_text = article(pages(), "exact", fingerprint=~FINGERPRINT)  # same text, whatever its fingerprint
    same_text.article.update(text=article(0, "original").article["text"],
                             text_sha256=article(0, "original").article["text_sha256"])
    save_outcomes(conn, [
        same_text,
        article(pages(), "near", fingerprint=flipped(FINGERPRINT, NEAR_DUPLICATE_BITS)),
        # one bit too many from the original, and further still from the near copy
        article(pages(), "far", fingerprint=flipped(FINGERPRINT, NEAR_DUPLICATE_BITS + 1, start=3)),
    ])
    got = rows(conn)
    original = got["original"][0]
    assert got["exact"][1] == got["near"][1] == got["original"][1] == original
    assert got["far"][1] == got["far"][0]


def test_copies_beyond_the_window_or_too_short_start_their_own_cluster(conn):
    pages = Pages(conn)
    short = "Copper up." * (MIN_CLUSTER_TEXT // 10 - 1)
    save_outcomes(conn, [article(pages(), "original"), article(pages(), "short", text=short)])
    save_outcomes(conn, [
        # past the window of the original and of the copy just inside it
        article(pages(), "late", published_at=DAY + timedelta(days=2 * CLUSTER_WINDOW_DAYS, minutes=1)),
        article(pages(), "in_time", published_at=DAY + timedelta(days=CLUSTER_WINDOW_DAYS)),
        article(pages(), "short_copy", text=short + "!"),
    ])
    got = rows(conn)
    assert got["in_time"][1] == got["original"][0]
    for own in ("late", "short", "short_copy"):
        assert got[own][1] == got[own][0], own


def test_the_earliest_published_copy_is_canonical_and_a_later_find_can_take_over(conn):
    pages = Pages(conn)
    day = datetime.now(timezone.utc) - timedelta(days=1)  # an undated copy's time is when it was first seen
    save_outcomes(conn, [article(pages(), "second", published_at=day + timedelta(hours=1)),
                         article(pages(), "third", published_at=day + timedelta(hours=2))])
    assert [row[2] for row in rows(conn).values()] == [True, False]
    save_outcomes(conn, [article(pages(), "first", published_at=day)])
    assert {slug: row[2] for slug, row in rows(conn).items()} == {"second": False, "third": False, "first": True}
    # an undated copy comes after every dated one
    save_outcomes(conn, [article(pages(), "undated", published_at=None)])
    got = rows(conn)
    assert got["undated"][1] == got["second"][0] and got["undated"][2] is False


def test_among_undated_copies_the_first_seen_is_canonical(conn):
    pages = Pages(conn)
    save_outcomes(conn, [article(pages(), "seen_first", published_at=None)])
    save_outcomes(conn, [article(pages(), "seen_later", published_at=None)])
    assert {slug: row[1:] for slug, row in rows(conn).items()} == {
        "seen_first": (rows(conn)["seen_first"][0], True), "seen_later": (rows(conn)["seen_first"][0], False)}


def test_a_re_extraction_that_moves_the_canonical_date_re_marks_the_cluster(conn):
    pages = Pages(conn)
    early, late = pages(), pages()
    save_outcomes(conn, [article(early, "early", published_at=DAY),
                         article(late, "late", published_at=DAY + timedelta(days=1))])
    save_outcomes(conn, [article(early, "early", published_at=DAY + timedelta(days=2))])
    assert {slug: row[2] for slug, row in rows(conn).items()} == {"early": False, "late": True}


def test_an_article_linking_two_clusters_merges_them_into_the_smallest(conn):
    pages = Pages(conn)
    left = FINGERPRINT
    right = flipped(FINGERPRINT, 2 * NEAR_DUPLICATE_BITS)  # 10 bits from left: no duplicate of it
    save_outcomes(conn, [article(pages(), "l1", fingerprint=left), article(pages(), "r1", fingerprint=right)])
    save_outcomes(conn, [article(pages(), "l2", fingerprint=flipped(left, 1, start=5)),
                         article(pages(), "r2", fingerprint=flipped(right, 1, start=5))])
    got = rows(conn)
    assert got["l2"][1] == got["l1"][0] and got["r2"][1] == got["r1"][0] != got["l1"][0]
    bridge = flipped(FINGERPRINT, NEAR_DUPLICATE_BITS)  # 5 bits from each side
    save_outcomes(conn, [article(pages(), "bridge", fingerprint=bridge)])
    got = rows(conn)
    assert {row[1] for row in got.values()} == {got["l1"][0]}
    assert sum(row[2] for row in got.values()) == 1


def test_an_article_never_clustered_joins_its_copy_cluster(conn):
    pages = Pages(conn)
    save_outcomes(conn, [article(pages(), "old")])
    conn.execute("UPDATE article SET cluster_id = NULL")  # as rows written before clustering existed
    save_outcomes(conn, [article(pages(), "new", fingerprint=flipped(FINGERPRINT, 1))])
    got = rows(conn)
    assert got["old"][1] == got["new"][1] == got["old"][0]


# The lookup meets the article itself once in the exact-text index and once in each band index.
SELF_READS = 1 + len(BANDS)


def index_rows_read(conn, article_ids: list[int]) -> int:
    """Rows the duplicate lookup read from its indexes for these articles, from EXPLAIN ANALYZE."""
    plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + DUPLICATE_CLUSTERS, {
        "ids": article_ids, "bits": NEAR_DUPLICATE_BITS, "days": CLUSTER_WINDOW_DAYS, "min_len": MIN_CLUSTER_TEXT,
        "most": MAX_DUPLICATES_READ}).fetchone()[0]
    plan = plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"]

    def read(node) -> int:
        own = 0
        if node.get("Relation Name") == "article" and "Scan" in node["Node Type"] and node.get("Alias") != "n":
            own = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node["Actual Loops"]
        return own + sum(read(child) for child in node.get("Plans", []))

    return read(plan)


def test_a_flood_of_copies_reads_a_bounded_number_of_duplicates_per_new_copy(conn):
    pages = Pages(conn)
    flood = 4 * MAX_DUPLICATES_READ
    for start in range(0, flood, 100):
        save_outcomes(conn, [article(pages(), f"copy{i}", fingerprint=flipped(FINGERPRINT, i % 3, start=i),
                                     published_at=DAY + timedelta(minutes=i))
                             for i in range(start, min(flood, start + 100))])
    got = rows(conn)
    assert {row[1] for row in got.values()} == {got["copy0"][0]}  # one story
    assert sum(row[2] for row in got.values()) == 1
    newest = sorted(row[0] for row in got.values())[-10:]
    # every copy duplicates all the others, yet each lookup stops after MAX_DUPLICATES_READ of them (plus, in
    # each index it reads, the article itself)
    assert index_rows_read(conn, newest) <= 10 * (MAX_DUPLICATES_READ + SELF_READS)


def test_copies_outside_the_window_are_not_read_at_all(conn):
    pages = Pages(conn)
    old = DAY - timedelta(days=3 * CLUSTER_WINDOW_DAYS)
    save_outcomes(conn, [article(pages(), f"old{i}", published_at=old + timedelta(minutes=i)) for i in range(100)])
    save_outcomes(conn, [article(pages(), "today")])
    got = rows(conn)
    assert got["today"][1] == got["today"][0]
    assert index_rows_read(conn, [got["today"][0]]) <= SELF_READS


def test_two_sessions_saving_copies_at_once_end_in_one_cluster(conn, db_url):
    pages = Pages(conn)
    first_page, second_page = pages(), pages()
    other = psycopg.connect(db_url)
    try:
        with other.transaction():  # holds the clustering lock until this block commits
            save_outcomes(other, [article(first_page, "site_a")])
            worker = threading.Thread(target=lambda: save_copy(db_url, second_page))
            worker.start()
            wait_for(conn, STORE_LOCK_WAITERS)
        worker.join(timeout=30)
    finally:
        other.close()
    got = rows(conn)
    assert got["site_b"][1] == got["site_a"][0]


def save_copy(db_url: str, page_id: int) -> None:
    with psycopg.connect(db_url) as conn:
        save_outcomes(conn, [article(page_id, "site_b", fingerprint=flipped(FINGERPRINT, 2))])


# Sessions waiting for the store's lock (a table lock: sql/migrations/0042)
STORE_LOCK_WAITERS = "SELECT count(*) FROM pg_locks WHERE relation = 'article_store_lock'::regclass AND NOT granted"


def wait_for(conn, count_query: str, seconds: float = 30) -> None:
    """Until ``count_query`` counts something: here, until another session waits on a lock."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if conn.execute(count_query).fetchone()[0]:
            return
        time.sleep(0.01)
    raise AssertionError(f"nothing came of {count_query!r} in {seconds} s")


def test_a_batch_waits_for_another_sessions_batch_and_keeps_the_id_it_gave_a_shared_url(conn, db_url):
    pages = Pages(conn)
    theirs, ours, other_page = pages(), pages(), pages()
    result: list = []
    other = psycopg.connect(db_url)
    try:
        with other.transaction():  # stores the URL, uncommitted, before our batch looks for it
            save_outcomes(other, [article(theirs, "x")])
            worker = threading.Thread(target=lambda: result.append(save_batch(
                db_url, [article(ours, "x"), article(other_page, "y", fingerprint=~FINGERPRINT)])))
            worker.start()
            wait_for(conn, "SELECT count(*) FROM pg_locks WHERE NOT granted")
        worker.join(timeout=30)
    finally:
        other.close()
    assert [(c.new, c.updated, c.unchanged) for c in result] == [(1, 0, 1)]
    got = rows(conn)
    x_id = conn.execute("SELECT article_id FROM page_extraction WHERE raw_page_id = %s", (theirs,)).fetchone()[0]
    assert got["x"][0] == x_id and "y" in got
    assert conn.execute("SELECT article_id FROM page_extraction WHERE raw_page_id = %s", (ours,)).fetchone()[0] == x_id


def save_batch(db_url: str, outcomes: list[PageOutcome]):
    with psycopg.connect(db_url) as conn:
        return save_outcomes(conn, outcomes)
