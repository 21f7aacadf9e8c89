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


def real_copy(page_id: int, slug: str, site: str, title: str, text: str, published_at=DAY):
    """An outcome whose hash and fingerprint are computed as extraction computes them."""
    from extract.dedupe import fingerprint_to_int64, simhash, text_sha256

    outcome = on_site(article(page_id, slug, text=text, title=title, published_at=published_at), site)
    outcome.article.update(text_sha256=text_sha256(text), fingerprint=fingerprint_to_int64(simhash(text)))
    return outcome


def clusters(conn) -> dict[str, int]:
    return {url.rsplit("/", 1)[1]: cluster for url, cluster in
            conn.execute("SELECT canonical_url, cluster_id FROM article ORDER BY id")}


def test_a_traditional_copy_of_a_simplified_story_is_the_same_story(conn):
    from extract.chinese import fold_chinese
    from tests.analysts.conftest import text

    traditional = text("seed000.txt")
    simplified = fold_chinese(traditional)
    assert simplified != traditional
    pages = Pages(conn)
    save_outcomes(conn, [real_copy(pages("alpha"), "simplified", "alpha", "中铝集团会见国际铝业协会", simplified)])
    save_outcomes(conn, [real_copy(pages("beta"), "traditional", "beta", "中鋁集團會見國際鋁業協會", traditional,
                                   published_at=DAY + timedelta(hours=3)),
                         real_copy(pages("gamma"), "edited", "gamma", "中鋁集團會見國際鋁業協會",
                                   "來源：中國有色網\n" + traditional + "\n（責任編輯：楊寧）",
                                   published_at=DAY + timedelta(hours=5))])
    got = clusters(conn)
    assert got["traditional"] == got["edited"] == got["simplified"]
    [(_, _, copies, sites, _, _)] = assert_stories_match_a_recount(conn)
    assert (copies, sites) == (3, list(SITES))


def test_identical_short_texts_under_one_headline_are_one_story(conn):
    pages = Pages(conn)
    flash = "铜价今日上涨2%。"  # a one-line flash, under MIN_CLUSTER_TEXT
    stub = "本文仅限会员阅读，请登录。"  # a paywall stub that unrelated articles share
    save_outcomes(conn, [real_copy(pages("alpha"), "flash", "alpha", "铜价上涨", flash),
                         real_copy(pages("alpha"), "stub-1", "alpha", "铝锭库存下降", stub)])
    save_outcomes(conn, [real_copy(pages("beta"), "flash-copy", "beta", "銅價上漲", flash + " "),
                         real_copy(pages("beta"), "stub-2", "beta", "镍价回落", stub),
                         real_copy(pages("gamma"), "flash-other", "gamma", "铜价今日上涨", flash)])
    got = clusters(conn)
    assert got["flash-copy"] == got["flash"]  # same text, same headline (in either script)
    assert got["stub-2"] != got["stub-1"]  # same stub, different stories
    assert got["flash-other"] != got["flash"]  # same text under another headline: not proven the same
    assert_stories_match_a_recount(conn)


def test_a_stub_shared_by_many_articles_is_not_read_for_each_new_one(conn):
    from tests.store.test_article_store import index_rows_read

    pages = Pages(conn)
    stub = "本文仅限会员阅读，请登录。"
    save_outcomes(conn, [real_copy(pages("alpha"), f"stub-{i}", "alpha", f"第{i}条新闻", stub,
                                   published_at=DAY + timedelta(minutes=i)) for i in range(150)])
    newest = conn.execute("SELECT max(id) FROM article").fetchone()[0]
    assert len(set(clusters(conn).values())) == 150
    assert index_rows_read(conn, [newest]) <= 1  # the short-copy index reads the article itself, nothing else
