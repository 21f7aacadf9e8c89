"""The published schema `news`: what the reader role may do, what the views say, that every column is documented,
and the columns themselves, pinned so that a change to the analysts' contract is deliberate."""

import psycopg
import pytest

# The contract: columns may be added (append them here), never renamed, dropped or reordered.
PUBLISHED_COLUMNS = {
    "articles": "id site url canonical_url title authors editor source published_at language text paywalled "
                "cluster_id is_canonical first_seen_at tags news_day published_raw categories keywords image_url "
                "extracted_at",
    "stories": "cluster_id canonical_id site title url language published_at news_day tags sites site_count copies "
               "article_ids first_published_at first_seen_at canonical_url",
    "sites": "site name base_url languages timezone enabled rule_version updated_at last_crawl_day last_crawl_status",
    "daily_site_stats": "site news_day crawl_status started_at finished_at pages_fetched pages_failed articles "
                        "new_articles rejected rejected_by_reason pages_pending crawl_stats crawl_error",
    "quality_checks": "site news_day metric value baseline status message checked_at",
}
PUBLISHED_VIEWS = [f"news.{name}" for name in PUBLISHED_COLUMNS]
SEARCH_COLUMNS = ("rank id cluster_id news_day published_at site title url language tags copies sites matched_copies "
                  "snippet total total_is_exact")


@pytest.fixture
def reader(corpus):
    with psycopg.connect(corpus.db_url) as conn:
        conn.execute("SET ROLE ingot_reader")
        yield conn


def test_the_news_schema_holds_exactly_the_published_views_and_search(db_url):
    with psycopg.connect(db_url) as conn:
        columns = dict(conn.execute(
            "SELECT table_name, string_agg(column_name, ' ' ORDER BY ordinal_position) "
            "FROM information_schema.columns WHERE table_schema = 'news' GROUP BY table_name").fetchall())
        routines = conn.execute("SELECT routine_name FROM information_schema.routines "
                                "WHERE routine_schema = 'news'").fetchall()
        search = conn.execute(
            "SELECT string_agg(parameter_name, ' ' ORDER BY ordinal_position) FROM information_schema.parameters p "
            "JOIN information_schema.routines r USING (specific_schema, specific_name) "
            "WHERE r.routine_schema = 'news' AND p.parameter_mode = 'OUT'").fetchone()[0]
    assert columns == PUBLISHED_COLUMNS
    assert routines == [("search_articles",)]
    assert search == SEARCH_COLUMNS


def test_the_reader_sees_only_the_news_schema(reader):
    visible = reader.execute(
        "SELECT DISTINCT table_schema FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')").fetchall()
    assert visible == [("news",)]
    assert reader.execute("SELECT has_schema_privilege('public', 'USAGE')").fetchone() == (False,)


@pytest.mark.parametrize("view", PUBLISHED_VIEWS)
def test_reader_reads_every_published_view(reader, view):
    assert reader.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0


@pytest.mark.parametrize("table", ["article_index", "article", "site", "crawl_run", "raw_page", "page_extraction",
                                   "story", "quality_check"])
def test_reader_reads_no_table(reader, table):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute(f"SELECT 1 FROM public.{table} LIMIT 1")


@pytest.mark.parametrize("view", PUBLISHED_VIEWS)
def test_reader_writes_no_view(reader, view):
    with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectNotInPrerequisiteState)):
        reader.execute(f"DELETE FROM {view}")


def test_reader_can_search_but_not_read_search_documents(reader, corpus):
    rows = reader.execute("SELECT id FROM news.search_articles('电解铝 碳排放', every_copy => true)").fetchall()
    assert len(rows) == 3
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute("SELECT search_document FROM public.article_index")


def test_search_articles_cannot_be_hijacked_through_the_search_path(reader):
    # A caller's temporary objects must not be picked up by the SECURITY DEFINER function. The reader itself may
    # not create any (sql/migrations/0043): the session makes them before it takes the reader's role.
    reader.execute("RESET ROLE")
    reader.execute("CREATE TEMP TABLE article_index (article_id bigint)")
    reader.execute("CREATE TEMP TABLE story (cluster_id bigint)")
    reader.execute("SET ROLE ingot_reader")
    rows = reader.execute("SELECT id FROM news.search_articles('电解铝', every_copy => true)").fetchall()
    assert len(rows) == 3


def test_the_reader_is_granted_views_and_search_only(corpus):
    with psycopg.connect(corpus.db_url) as conn:
        routines = conn.execute(
            "SELECT DISTINCT routine_name FROM information_schema.routine_privileges "
            "WHERE grantee = 'ingot_reader'"
        ).fetchall()
    assert routines == [("search_articles",)]


@pytest.mark.parametrize("view", PUBLISHED_VIEWS + ["news.search_articles"])
def test_every_view_and_column_has_a_comment(corpus, view):
    if view == "news.search_articles":
        with psycopg.connect(corpus.db_url) as conn:
            assert conn.execute("SELECT obj_description(%s::regproc, 'pg_proc')", (view,)).fetchone()[0]
        return
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
        "SELECT cluster_id, canonical_id, site, sites, site_count, copies, article_ids FROM news.stories "
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
    assert reader.execute("SELECT sum(copies) FROM news.stories").fetchone()[0] == len(ids)
    assert reader.execute(
        "SELECT count(*) FROM news.articles a JOIN news.stories s USING (cluster_id)"
    ).fetchone()[0] == len(ids)


def test_news_day_is_the_sites_own_calendar_day(reader, corpus):
    day = reader.execute("SELECT news_day, published_at FROM news.articles WHERE id = %s",
                         (corpus.ids["en_isit_conference"],)).fetchone()[0]
    assert day.isoformat() == "2023-09-14"


def test_an_undated_article_has_no_news_day(corpus):
    """Never the day ingot happened to store it: that would put old finds into today's news."""
    from tests.analysts.conftest import insert_article

    with psycopg.connect(corpus.db_url) as conn:
        undated = insert_article(conn, site="cnmn", slug="undated", title="铜价", body="铜价上涨。", language="zh-Hans",
                                 published_at=None)
        assert conn.execute("SELECT news_day FROM news.articles WHERE id = %s", (undated,)).fetchone() == (None,)


def test_sites_lists_every_site_with_its_latest_crawl(reader):
    rows = reader.execute("SELECT site, timezone, last_crawl_day = current_date - 1, last_crawl_status "
                          "FROM news.sites ORDER BY site").fetchall()
    assert [r[0] for r in rows] == ["alcircle", "chinania", "cmra", "cnmn", "isit", "smm_fr"]
    assert dict((r[0], r[2:]) for r in rows)["cnmn"] == (True, "succeeded")
    assert dict((r[0], r[1]) for r in rows)["isit"] == "Asia/Bangkok"


def test_daily_site_stats_counts_pages_articles_and_rejections(reader):
    rows = reader.execute(
        "SELECT site, pages_fetched, articles, new_articles, rejected, rejected_by_reason, pages_pending, "
        "crawl_status FROM news.daily_site_stats WHERE news_day = current_date - 1 ORDER BY site"
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
            "SELECT articles, new_articles FROM news.daily_site_stats "
            "WHERE site = 'cmra' AND news_day = current_date - 1"
        ).fetchone()
    assert row == (2, 0)
