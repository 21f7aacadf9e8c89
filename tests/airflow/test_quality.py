"""Quality metrics: pure rules first, then the stored results on a real database."""

from datetime import date, timedelta

import psycopg
import pytest

from ingot.quality import DayCounts, baseline, check_sites, day_metrics, evaluate_site, failures, judge

DAY = date(2026, 3, 10)  # a Tuesday


def usual_day(articles=10, **overrides) -> DayCounts:
    values = {"pages": articles + 2, "http_errors": 0, "extracted": articles + 1, "articles": articles,
              "missing_date": 0, "missing_title": 0, "missing_authors": articles // 2, "short_text": 0,
              "rejected": {"not_article": 1}}
    return DayCounts(**(values | overrides))


def history(days=7, **overrides) -> dict[date, DayCounts]:
    return {DAY - timedelta(days=n): usual_day(**overrides) for n in range(1, days + 1)}


def by_metric(results):
    return {r.metric: r for r in results}


def test_day_metrics_are_counts_and_shares():
    metrics = day_metrics(DayCounts(pages=10, http_errors=2, extracted=8, articles=4, missing_date=1,
                                    missing_title=0, missing_authors=4, short_text=2,
                                    rejected={"paywalled": 3, "empty": 1}))
    assert metrics == {
        "articles_found": 4, "missing_date_share": 0.25, "missing_title_share": 0, "missing_authors_share": 1,
        "short_text_share": 0.5, "rejected_share": 0.5, "rejected_share:empty": 0.125,
        "rejected_share:paywalled": 0.375, "http_error_share": 0.2,
    }


def test_shares_without_a_denominator_are_left_out():
    assert day_metrics(DayCounts()) == {"articles_found": 0}


def test_baseline_is_the_median_of_the_days_that_have_the_metric():
    assert baseline([{"m": 1}, {"m": 9}, {"m": 4}, {}], "m") == 4
    assert baseline([{}], "m") is None


def test_yield_dropping_to_zero_fails_naming_site_and_metric():
    results = by_metric(evaluate_site("cnmn", DAY, DayCounts(), history()))
    found = results["articles_found"]
    assert (found.status, found.value, found.baseline) == ("fail", 0, 10)
    assert "cnmn" in found.message and "articles_found" in found.message


def test_zero_yield_on_a_weekday_that_is_often_quiet_only_warns():
    quiet = history(days=14)
    quiet[DAY - timedelta(days=7)] = usual_day(articles=0)
    assert by_metric(evaluate_site("cisa", DAY, DayCounts(), quiet))["articles_found"].status == "warn"


def test_no_history_no_failure():
    assert failures(evaluate_site("new_site", DAY, DayCounts(), {})) == []


def test_a_low_yield_warns():
    assert by_metric(evaluate_site("x", DAY, usual_day(articles=2), history()))["articles_found"].status == "warn"


def test_sudden_loss_of_dates_fails_as_a_layout_change():
    today = usual_day(missing_date=9)
    result = by_metric(evaluate_site("smm_fr", DAY, today, history()))["missing_date_share"]
    assert result.status == "fail" and "smm_fr" in result.message and "missing_date_share" in result.message


def test_sudden_loss_of_text_fails():
    today = usual_day(articles=1, extracted=10, rejected={"empty": 9})
    failing = {r.metric for r in failures(evaluate_site("gmw", DAY, today, history()))}
    assert "rejected_share" in failing


def test_short_texts_fail_when_unusual():
    result = by_metric(evaluate_site("x", DAY, usual_day(short_text=8), history()))["short_text_share"]
    assert result.status == "fail"


def test_a_site_that_never_has_dates_only_warns():
    always = history(missing_date=10)
    assert by_metric(evaluate_site("x", DAY, usual_day(missing_date=10), always))["missing_date_share"].status \
        == "warn"


def test_missing_authors_and_http_errors_only_warn():
    today = usual_day(missing_authors=10, http_errors=10, pages=12)
    results = by_metric(evaluate_site("x", DAY, today, history(missing_authors=0)))
    assert results["missing_authors_share"].status == "warn"
    assert results["http_error_share"].status == "warn"
    assert failures(results.values()) == []


def test_judge_keeps_ok_silent():
    assert judge("x", "articles_found", 10, 10) == ("ok", None)
    assert judge("x", "rejected_share:paywalled", 0.9, 0.0) == ("ok", None)


# --- stored results ---------------------------------------------------------------------------------------------

def add_site_day(conn, site_key: str, day: date, articles: int, *, dated: bool = True) -> None:
    run_id = conn.execute(
        "INSERT INTO crawl_run (site_key, news_day, status) VALUES (%s, %s, 'succeeded') RETURNING id",
        (site_key, day)).fetchone()[0]
    for n in range(articles):
        url = f"https://{site_key}.example/{day}/{n}"
        page_id = conn.execute(
            "INSERT INTO raw_page (crawl_run_id, site_key, url, final_url, canonical_url, http_status, body_zlib, "
            "body_size, body_sha256, fetched_at) VALUES (%s, %s, %s, %s, %s, 200, '', 0, %s, now()) RETURNING id",
            (run_id, site_key, url, url, url, "0" * 64)).fetchone()[0]
        article_id = conn.execute(
            "INSERT INTO article (canonical_url, url, site_key, title, text, text_sha256, published_at, "
            "rule_version, extractor_version) VALUES (%s, %s, %s, 'T', %s, 'x', %s, 1, 'v') RETURNING id",
            (url, url, site_key, "word " * 100, day if dated else None)).fetchone()[0]
        conn.execute("INSERT INTO page_extraction (raw_page_id, outcome, article_id, rule_version, "
                     "extractor_version) VALUES (%s, 'article', %s, 1, 'v')", (page_id, article_id))


@pytest.fixture
def two_sites(db_url):
    with psycopg.connect(db_url) as conn:
        for key in ("alpha", "beta"):
            conn.execute("INSERT INTO site (key, name, base_url, timezone, rule_version) VALUES (%s, %s, %s, "
                         "'Asia/Shanghai', 1)", (key, key, f"https://{key}.example/"))
        for back in (3, 2, 1):
            add_site_day(conn, "alpha", DAY - timedelta(days=back), 3)
            add_site_day(conn, "beta", DAY - timedelta(days=back), 2)
        add_site_day(conn, "alpha", DAY, 0)
        add_site_day(conn, "beta", DAY, 2)
    return db_url


def test_check_sites_stores_results_and_fails_the_site_whose_yield_dropped(two_sites):
    results = check_sites(two_sites, ["alpha", "beta"], DAY)
    assert [(r.site_key, r.metric) for r in failures(results)] == [("alpha", "articles_found")]
    with psycopg.connect(two_sites) as conn:
        stored = conn.execute("SELECT site_key, metric, value, baseline, status FROM quality_check WHERE "
                              "news_day = %s AND metric = 'articles_found' ORDER BY site_key", (DAY,)).fetchall()
    assert stored == [("alpha", "articles_found", 0, 3, "fail"), ("beta", "articles_found", 2, 2, "ok")]


def test_rechecking_a_day_changes_no_row(two_sites):
    check_sites(two_sites, ["alpha", "beta"], DAY)
    query = "SELECT site_key, metric, value, baseline, status, message, checked_at FROM quality_check ORDER BY 1, 2"
    with psycopg.connect(two_sites) as conn:
        before = conn.execute(query).fetchall()
    check_sites(two_sites, ["alpha", "beta"], DAY)
    with psycopg.connect(two_sites) as conn:
        assert conn.execute(query).fetchall() == before


def test_a_site_without_any_crawl_run_that_day_counts_as_zero(two_sites):
    later = DAY + timedelta(days=1)
    results = check_sites(two_sites, ["beta"], later)
    assert [(r.site_key, r.metric, r.value) for r in failures(results)] == [("beta", "articles_found", 0)]


def test_http_errors_are_counted_over_every_response_of_the_crawl():
    from ingot.quality import with_response_counts

    counts = with_response_counts(DayCounts(pages=2, http_errors=0), {"200": 2, "500": 6, "304": 2, "403": 1})
    assert (counts.pages, counts.http_errors, counts.blocking) == (11, 7, {403: 1})
    assert with_response_counts(DayCounts(pages=2), None) == DayCounts(pages=2)


def test_refusals_are_a_block_by_the_site_when_they_are_half_the_responses_or_more():
    from ingot.quality import blocked_by_site

    assert blocked_by_site({403: 12}, 15) == "blocked by the site: HTTP 403 x12 of 15 responses"
    assert blocked_by_site({401: 1, 451: 1}, 4) == "blocked by the site: HTTP 401 x1, 451 x1 of 4 responses"
    assert blocked_by_site({403: 1}, 10) is None  # one forbidden page is not a block
    assert blocked_by_site({404: 9}, 10) is None  # missing pages are not a refusal
    assert blocked_by_site({}, 0) is None


def test_a_day_the_site_blocked_fails_as_blocked_not_as_a_layout_change():
    from ingot.quality import with_response_counts

    # the list page came, every article answered 403 and was stored, and extraction rejected them all
    today = with_response_counts(usual_day(articles=0, extracted=10, rejected={"http_error": 10}),
                                 {"200": 2, "403": 10})
    results = failures(evaluate_site("argus", DAY, today, history()))
    messages = {r.metric: r.message for r in results}
    assert set(messages) == {"articles_found", "rejected_share"}
    assert messages["rejected_share"].endswith("blocked by the site: HTTP 403 x10 of 12 responses, "
                                               "not a layout change")
    assert "blocked by the site: HTTP 403 x10 of 12 responses" in messages["articles_found"]
    assert not any("layout change?" in message for message in messages.values())


def test_without_refusals_a_sudden_jump_still_asks_about_the_layout():
    today = usual_day(articles=1, extracted=10, rejected={"empty": 9})
    message = by_metric(evaluate_site("gmw", DAY, today, history()))["rejected_share"].message
    assert message.endswith("did the site's layout change?")
