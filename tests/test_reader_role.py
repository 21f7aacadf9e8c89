"""The analysts' role reads the published views and nothing else."""

import psycopg
import pytest

PUBLISHED_VIEWS = ["news.articles", "news.stories", "news.sites", "news.daily_site_stats", "news.quality_checks"]
PRIVATE_TABLES = ["raw_page", "article", "crawl_run", "site", "page_extraction", "schema_migration", "story",
                  "article_index"]


@pytest.fixture
def reader(db_url):
    with psycopg.connect(db_url) as conn:
        conn.execute("SET ROLE ingot_reader")
        yield conn


def test_reader_role_exists_and_cannot_log_in(db_url):
    with psycopg.connect(db_url) as conn:
        can_login = conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'ingot_reader'").fetchone()
    assert can_login == (False,)


@pytest.mark.parametrize("view", PUBLISHED_VIEWS)
def test_reader_can_select_published_views(reader, view):
    reader.execute(f"SELECT * FROM {view} LIMIT 1").fetchall()


@pytest.mark.parametrize("table", PRIVATE_TABLES)
def test_reader_cannot_read_tables(reader, table):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute(f"SELECT * FROM public.{table} LIMIT 1")


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO public.site (key, name, base_url, timezone, rule_version) "
        "VALUES ('x', 'x', 'http://x', 'UTC', 1)",
        "UPDATE public.article SET title = 'x'",
        "DELETE FROM public.raw_page",
        "DELETE FROM news.articles",
        "UPDATE news.articles SET title = 'x'",
        "CREATE TABLE public.reader_scratch (id int)",
        "CREATE TABLE news.reader_scratch (id int)",
    ],
)
def test_reader_cannot_write(reader, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute(statement)


def test_reader_is_granted_views_only(db_url):
    with psycopg.connect(db_url) as conn:
        granted = conn.execute(
            "SELECT g.table_name, t.table_type, g.privilege_type FROM information_schema.role_table_grants g "
            "JOIN information_schema.tables t USING (table_schema, table_name) WHERE g.grantee = 'ingot_reader'"
        ).fetchall()
    assert granted, "the reader role should see the published views"
    assert {(kind, privilege) for _, kind, privilege in granted} == {("VIEW", "SELECT")}
