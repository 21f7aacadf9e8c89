"""index_articles: what it indexes, what it leaves alone, and re-tagging after a vocabulary change."""

import psycopg

from ingot.indexing import index_articles
from ingot.paths import PROJECT_ROOT


def tags(db_url):
    with psycopg.connect(db_url) as conn:
        return dict(conn.execute("SELECT id, tags FROM news.articles").fetchall())


def test_every_article_is_indexed_once(corpus):
    assert corpus.indexed == len(corpus.ids)
    assert index_articles(corpus.db_url) == 0


def test_tags_reach_the_articles_view(corpus):
    found = tags(corpus.db_url)
    assert {"aluminium", "low-carbon"} <= set(found[corpus.ids["zh_conference"]])
    assert {"steel", "low-carbon"} <= set(found[corpus.ids["en_isit_conference"]])
    assert {"steel", "cbam", "scrap"} <= set(found[corpus.ids["th_cbam"]])


def test_a_re_extracted_article_is_indexed_again(corpus):
    article_id = corpus.ids["en_gulf"]
    with psycopg.connect(corpus.db_url) as conn:
        conn.execute(
            "UPDATE article SET title = 'Nickel pig iron', text = 'Output rose.', extracted_at = now() WHERE id = %s",
            (article_id,),
        )
    assert index_articles(corpus.db_url) == 1
    assert tags(corpus.db_url)[article_id] == ["nickel"]


def test_a_changed_vocabulary_re_tags_everything_without_touching_articles(corpus, tmp_path):
    with psycopg.connect(corpus.db_url) as conn:
        before = conn.execute("SELECT id, extracted_at FROM article ORDER BY id").fetchall()
    vocabulary = tmp_path / "topics.yaml"
    vocabulary.write_text(
        (PROJECT_ROOT / "vocabulary" / "topics.yaml").read_text(encoding="utf-8")
        + "\n  summit:\n    kind: theme\n    zh: [大会]\n    en: [conference]\n",
        encoding="utf-8",
    )
    assert index_articles(corpus.db_url, vocabulary_path=vocabulary) == len(corpus.ids)
    found = tags(corpus.db_url)
    assert "summit" in found[corpus.ids["zh_conference"]] and "summit" in found[corpus.ids["en_isit_conference"]]
    assert "summit" not in found[corpus.ids["fr_asi"]]
    with psycopg.connect(corpus.db_url) as conn:
        assert conn.execute("SELECT id, extracted_at FROM article ORDER BY id").fetchall() == before


def test_reindex_and_filters(corpus):
    assert index_articles(corpus.db_url, reindex=True, site_key="isit") == 2
    assert index_articles(corpus.db_url, reindex=True, site_key="cnmn") == 2
    assert index_articles(corpus.db_url, reindex=True) == len(corpus.ids)


def test_deleting_an_article_deletes_its_index_row(corpus):
    with psycopg.connect(corpus.db_url) as conn:
        conn.execute("DELETE FROM article WHERE id = %s", (corpus.ids["en_gulf"],))
        left = conn.execute("SELECT count(*) FROM article_index").fetchone()[0]
    assert left == len(corpus.ids) - 1


def test_unindexed_articles_have_null_tags(db_url):
    from tests.analysts.conftest import insert_article, insert_sites

    with psycopg.connect(db_url) as conn:
        insert_sites(conn)
        article_id = insert_article(conn, site="cnmn", slug="x", title="铜价上涨", body="铜价上涨。",
                                    language="zh-Hans", published_at=None)
    assert tags(db_url) == {article_id: None}
    assert index_articles(db_url) == 1
    assert tags(db_url) == {article_id: ["copper"]}


def test_the_daily_run_indexes_an_article_dated_years_before_its_day(db_url):
    """A day's crawl that finds a story two years old indexes and tags it like any other."""
    import datetime

    from ingot.daily import index_site
    from tests.analysts.conftest import insert_article, insert_sites

    day = datetime.date(2026, 12, 1)
    with psycopg.connect(db_url) as conn:
        insert_sites(conn)
        old = insert_article(conn, site="cnmn", slug="old", title="电解铝产能置换", body="电解铝产能置换方案公布，铝价上涨。",
                             language="zh-Hans",
                             published_at=datetime.datetime(2024, 11, 30, 9, 0, tzinfo=datetime.timezone.utc))
    index_site(db_url, "cnmn", day)
    assert "aluminium" in (tags(db_url)[old] or [])
