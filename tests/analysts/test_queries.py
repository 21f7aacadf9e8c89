"""Every example query in sql/queries/ runs as the analysts' role and returns the rows the corpus implies."""

from decimal import Decimal

import psycopg
import pytest

from ingot.paths import SQL_DIR

QUERIES_DIR = SQL_DIR / "queries"


def run_query(db_url, name):
    with psycopg.connect(db_url) as conn:
        conn.execute("SET ROLE ingot_reader")
        return conn.execute((QUERIES_DIR / name).read_text(encoding="utf-8")).fetchall()


def expect_aluminium_news_last_24_hours(rows, ids):
    assert [(r[0], r[2]) for r in rows] == [
        ("en", "alcircle"), ("fr", "smm_fr"), ("th", "isit"), ("zh-Hans", "cnmn"), ("zh-Hant", "cnmn"),
    ]
    assert rows[3][3].startswith("中铝集团和魏桥集团")


def expect_stories_on_three_or_more_sites_this_week(rows, ids):
    assert [(r[0], r[4], r[5]) for r in rows] == [(ids["zh_initiative"], 3, ["chinania", "cmra", "cnmn"])]


def expect_sites_whose_yield_fell(rows, ids):
    assert rows == [("cnmn", Decimal("4.00"), Decimal("1.00"))]


def expect_rejections_by_reason_last_7_days(rows, ids):
    assert rows == [("cnmn", "not_article", 14), ("cnmn", "paywalled", 7)]


def expect_search_electrolytic_aluminium_emissions(rows, ids):
    [(_, site, title, url, copies, sites, snippet)] = rows
    assert (site, copies, sites) == ("cnmn", 3, ["chinania", "cmra", "cnmn"])
    assert title == "中铝集团和魏桥集团联合发布《加快铝工业绿色低碳发展联合倡议书》"
    assert url.endswith("/news/initiative.html") and "<b>碳排放</b>" in snippet


def expect_search_french_and_thai(rows, ids):
    assert [(r[0], r[2]) for r in rows] == [("fr", "smm_fr"), ("th", "isit")]
    assert rows[1][4].endswith("cbam-thai-steel.html")


def expect_search_phrases_or_and_exclusions(rows, ids):
    assert [(r[0], r[2], r[5]) for r in rows] == [
        ("cbam", "alcircle", 1), ("cbam", "isit", 1),
        ("zh", "chinania", 3), ("zh", "cmra", 3), ("zh", "cnmn", 3),
    ]


def expect_tags_per_language_last_30_days(rows, ids):
    counts = {(tag, language): n for tag, language, n in rows}
    assert counts[("aluminium", "zh-Hans")] == 2  # the initiative (3 copies, 1 story) and the conference
    assert counts[("aluminium", "zh-Hant")] == 1
    assert counts[("steel", "th")] == 1
    assert counts[("cbam", "en")] == 1 and counts[("cbam", "th")] == 1
    assert ("steel", "en") not in counts  # the ISIT conference is from 2023


EXPECTATIONS = {name.removeprefix("expect_") + ".sql": check for name, check in globals().items()
                if name.startswith("expect_")}


def test_every_query_file_has_an_expectation():
    assert sorted(p.name for p in QUERIES_DIR.glob("*.sql")) == sorted(EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_query_returns_the_expected_rows(corpus, name):
    EXPECTATIONS[name](run_query(corpus.db_url, name), corpus.ids)
