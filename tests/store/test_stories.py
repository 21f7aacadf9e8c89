"""The story table the store's clustering keeps: after any sequence of saves it says what recounting the articles
would say, so that `news.stories` never counts copies at query time."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest

from ingot.article_store import save_outcomes
from tests.store.pages import add_crawl_run, add_raw_page, add_site
from tests.store.test_article_store import DAY, FINGERPRINT, NEAR_DUPLICATE_BITS, article, flipped

SITES = ("alpha", "beta", "gamma")


@pytest.fixture
def conn(db_url):
    with psycopg.connect(db_url, autocommit=True) as connection:
        for key in SITES:
            add_site(connection, key, hosts=(f"{key}.example",))
        yield connection


class Pages:
    """Raw pages of any of the sites, one per call."""

    def __init__(self, conn):
        self.conn, self.runs, self.count = conn, {key: add_crawl_run(conn, key) for key in SITES}, 0

    def __call__(self, site: str = "alpha") -> int:
        self.count += 1
        return add_raw_page(self.conn, self.runs[site], site, f"https://{site}.example/p/{self.count}", b"<html></html>")


def on_site(outcome, site: str):
    """The outcome as a copy on another site (same text, its own URL)."""
    url = outcome.article["canonical_url"].replace("alpha", site)
    outcome.article.update(site_key=site, canonical_url=url, url=url)
    return outcome.__class__(**{**outcome.__dict__, "site_key": site})


def stories(conn) -> list[tuple]:
    return conn.execute("SELECT cluster_id, canonical_id, copies, sites, first_published_at, first_seen_at "
                        "FROM story ORDER BY cluster_id").fetchall()


def assert_stories_match_a_recount(conn) -> list[tuple]:
    kept = stories(conn)
    conn.execute("SELECT rebuild_stories()")
    assert kept == stories(conn)
    return kept


def test_every_new_article_is_a_story_of_one(conn):
    pages = Pages(conn)
    save_outcomes(conn, [article(pages(), "a"), article(pages(), "b", fingerprint=~FINGERPRINT)])
    kept = assert_stories_match_a_recount(conn)
    assert [(copies, sites) for _, _, copies, sites, _, _ in kept] == [(1, ["alpha"]), (1, ["alpha"])]


def test_copies_on_other_sites_merges_and_re_marks_keep_the_counts_exact(conn):
    pages = Pages(conn)
    left, right = FINGERPRINT, flipped(FINGERPRINT, 2 * NEAR_DUPLICATE_BITS)
    save_outcomes(conn, [article(pages(), "l1", fingerprint=left),
                         article(pages(), "r1", fingerprint=right, published_at=DAY - timedelta(hours=5))])
    assert_stories_match_a_recount(conn)
    save_outcomes(conn, [on_site(article(pages("beta"), "l2", fingerprint=flipped(left, 1, start=5)), "beta"),
                         on_site(article(pages("gamma"), "r2", fingerprint=flipped(right, 1)), "gamma")])
    assert_stories_match_a_recount(conn)
    # one article close to both sides merges the two stories
    save_outcomes(conn, [on_site(article(pages("beta"), "bridge", fingerprint=flipped(FINGERPRINT, NEAR_DUPLICATE_BITS)),
                                 "beta")])
    [(cluster, canonical, copies, sites, first_published, _)] = assert_stories_match_a_recount(conn)
    assert copies == 5 and sites == ["alpha", "beta", "gamma"] and first_published == DAY - timedelta(hours=5)
    # a re-extraction that dates the canonical copy later hands the story to the next earliest
    r1_page = conn.execute("SELECT raw_page_id FROM article WHERE id = %s", (canonical,)).fetchone()[0]
    save_outcomes(conn, [article(r1_page, "r1", fingerprint=right, published_at=DAY + timedelta(days=3))])
    [(_, new_canonical, copies, _, first_published, _)] = assert_stories_match_a_recount(conn)
    assert new_canonical != canonical and copies == 5 and first_published == DAY


def test_an_article_never_clustered_brings_its_story_along(conn):
    pages = Pages(conn)
    save_outcomes(conn, [article(pages(), "old")])
    conn.execute("UPDATE article SET cluster_id = NULL")  # as rows written before clustering existed
    conn.execute("SELECT rebuild_stories()")
    save_outcomes(conn, [on_site(article(pages("beta"), "new", fingerprint=flipped(FINGERPRINT, 1)), "beta")])
    [(_, _, copies, sites, _, _)] = assert_stories_match_a_recount(conn)
    assert (copies, sites) == (2, ["alpha", "beta"])


def test_a_flood_of_copies_is_one_story_counted_as_it_grows(conn):
    pages = Pages(conn)
    for batch in range(3):
        save_outcomes(conn, [on_site(article(pages(site), f"copy{batch}-{i}-{site}",
                                             fingerprint=flipped(FINGERPRINT, i % 3, start=i),
                                             published_at=DAY + timedelta(minutes=batch * 100 + i)), site)
                             for i in range(40) for site in SITES])
    [(_, _, copies, sites, _, _)] = assert_stories_match_a_recount(conn)
    assert (copies, sites) == (360, list(SITES))


def test_the_stories_view_reads_its_counts_from_the_story_table(conn):
    pages = Pages(conn)
    save_outcomes(conn, [article(pages(), "a"), on_site(article(pages("beta"), "b"), "beta")])
    conn.execute("UPDATE story SET copies = 7")  # what the view shows is the table, not a recount
    assert conn.execute("SELECT copies, site_count, sites FROM news.stories").fetchall() == [
        (7, 2, ["alpha", "beta"])]
