"""The published views: what the reader role may do, what the views say, and that every column is documented."""

import psycopg
import pytest

PUBLISHED_VIEWS = ["articles", "stories", "daily_site_stats"]


@pytest.fixture
def reader(corpus):
    with psycopg.connect(corpus.db_url) as conn:
        conn.execute("SET ROLE ingot_reader")
        yield conn


@pytest.mark.parametrize("view", PUBLISHED_VIEWS)
def test_reader_reads_every_published_view(reader, view):
    assert reader.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0


@pytest.mark.parametrize("table", ["article_index", "article", "site", "crawl_run", "raw_page", "page_extraction"])
def test_reader_reads_no_table(reader, table):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute(f"SELECT 1 FROM {table} LIMIT 1")


@pytest.mark.parametrize("view", PUBLISHED_VIEWS)
def test_reader_writes_no_view(reader, view):
    with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectNotInPrerequisiteState)):
        reader.execute(f"DELETE FROM {view}")


def test_reader_can_search_but_not_read_search_documents(reader, corpus):
    rows = reader.execute("SELECT id FROM search_articles('电解铝 碳排放')").fetchall()
    assert len(rows) == 3
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute("SELECT search_document FROM article_index")


def test_search_articles_cannot_be_hijacked_through_the_search_path(reader):
    # A caller's temporary objects must not be picked up by the SECURITY DEFINER function. The reader itself may
    # not create any (sql/migrations/0043): the session makes one before it takes the reader's role.
    reader.execute("RESET ROLE")
    reader.execute("CREATE TEMP TABLE articles (id bigint)")
    reader.execute("SET ROLE ingot_reader")
    assert len(reader.execute("SELECT id FROM search_articles('电解铝')").fetchall()) == 3


def test_the_reader_is_granted_views_and_search_only(corpus):
    with psycopg.connect(corpus.db_url) as conn:
        routines = conn.execute(
            "SELECT DISTINCT routine_name FROM information_schema.routine_privileges "
            "WHERE grantee = 'ingot_reader'"
        ).fetchall()
    assert routines == [("search_articles",)]


@pytest.mark.parametrize("view", PUBLISHED_VIEWS)
def test_every_view_and_column_has_a_comment(corpus, view):
    with psycopg.connect(corpus.db_url) as conn:
        assert conn.execute("SELECT obj_description(%s::regclass, 'pg_class')", (view,)).fetchone()[0]
        undocumented = conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "AND col_description(attrelid, attnum) IS NULL",
            (view,),
        ).fetchall()
    assert undocumented == []


def test_stories_group_copies_and_name_the_canonical(reader, corpus):
    rows = reader.execute(
        "SELECT cluster_id, canonical_id, site, sites, site_count, copies, article_ids FROM stories "
        "WHERE site_count > 1 ORDER BY cluster_id"
    ).fetchall()
    ids = corpus.ids
    assert rows == [
        (ids["zh_initiative"], ids["zh_initiative"], "cnmn", ["chinania", "cmra", "cnmn"], 3, 3,
         [ids["zh_initiative"], ids["zh_initiative_cmra"], ids["zh_initiative_chinania"]]),
        (ids["zh_hant_meeting"], ids["zh_hant_meeting"], "cnmn", ["cmra", "cnmn"], 2, 2,
         [ids["zh_hant_meeting"], ids["zh_hant_meeting_cmra"]]),
    ]
    # Every article belongs to exactly one story; an unclustered article is its own story.
    assert reader.execute("SELECT sum(copies) FROM stories").fetchone()[0] == len(ids)
    assert reader.execute(
        "SELECT count(*) FROM articles a JOIN stories s USING (cluster_id)"
    ).fetchone()[0] == len(ids)


def test_news_day_is_the_sites_own_calendar_day(reader, corpus):
    day = reader.execute("SELECT news_day, published_at FROM articles WHERE id = %s",
                         (corpus.ids["en_isit_conference"],)).fetchone()[0]
    assert day.isoformat() == "2023-09-14"


def test_daily_site_stats_counts_pages_articles_and_rejections(reader):
    rows = reader.execute(
        "SELECT site, pages_fetched, articles, new_articles, rejected, rejected_by_reason, pages_pending, "
        "crawl_status FROM daily_site_stats WHERE news_day = current_date - 1 ORDER BY site"
    ).fetchall()
    assert rows == [
        ("cmra", 2, 2, 2, 0, {}, 0, "succeeded"),
        ("cnmn", 4, 1, 1, 3, {"not_article": 2, "paywalled": 1}, 0, "succeeded"),
    ]


def test_daily_site_stats_new_articles_excludes_urls_fetched_before(corpus):
    with psycopg.connect(corpus.db_url) as conn:
        # Yesterday's cmra pages re-fetch the URLs of the day before: they are articles, not new ones.
        conn.execute(
            "UPDATE raw_page p SET canonical_url = replace(p.canonical_url, "
            "(current_date - 1)::text, (current_date - 2)::text) "
            "FROM crawl_run r WHERE r.id = p.crawl_run_id AND r.site_key = 'cmra' AND r.news_day = current_date - 1"
        )
        row = conn.execute(
            "SELECT articles, new_articles FROM daily_site_stats WHERE site = 'cmra' AND news_day = current_date - 1"
        ).fetchone()
    assert row == (2, 0)
