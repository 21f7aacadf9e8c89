"""Values a page hands the store that PostgreSQL refuses: each costs at most its own page, never the batch.

NUL and lone surrogates come from a page's JSON-LD (``\\u0000``, ``\\ud800`` are valid JSON escapes); a canonical
URL can be longer than a btree index entry may be; and whatever else the database refuses on a row's data is
recorded for that page, with the database's reason, while the rest of the batch is saved.
"""

from __future__ import annotations

import hashlib
import random
import string

import psycopg
import pytest

from ingot.article_store import PageOutcome, save_outcomes
from ingot.extraction_job import extract_pages
from ingot.storable import storable_text
from tests.store.pages import add_crawl_run, add_raw_page, add_site

STORY = "<p>" + "Smelters in Yunnan raised aluminium output for a third month as hydropower returned. " * 4 + "</p>"


def news_page(headline: str = "Steel output rises", author: str = "Li Wei", *,
              keywords: str = '"aluminium", "smelting"', section: str = "Metals",
              image: str = "https://alpha.example/i.jpg") -> bytes:
    """A news page whose JSON-LD carries the given values as JSON string literals (escapes kept as written)."""
    return ('<html lang="en"><head><meta charset="utf-8"><title>Aluminium output rises</title>'
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            f'"headline": "{headline}", "author": {{"@type": "Person", "name": "{author}"}}, '
            f'"datePublished": "2026-03-02T08:00:00Z", "keywords": [{keywords}], "articleSection": "{section}", '
            f'"image": "{image}"}}</script>'
            f'</head><body><article><h1>Aluminium output rises</h1>{STORY * 3}</article></body></html>').encode()


def hostile_page(headline: str, author: str) -> bytes:
    """A news page whose JSON-LD also carries NUL and lone surrogates in its keywords, section and image."""
    return news_page(headline, author, keywords='"alu\\u0000minium", "smelt\\udc00ing"', section="Met\\u0000als",
                     image="https://alpha.example/i\\ud800.jpg")


@pytest.fixture
def conn(db_url):
    with psycopg.connect(db_url, autocommit=True) as connection:
        add_site(connection, "alpha", hosts=("alpha.example",))
        yield connection


@pytest.mark.parametrize("workers", [1, 2])
def test_nul_and_lone_surrogates_in_json_ld_are_cleaned_and_the_batch_is_saved(conn, db_url, workers):
    run = add_crawl_run(conn, "alpha")
    healthy = add_raw_page(conn, run, "alpha", "https://alpha.example/news/1.html", news_page())
    hostile = add_raw_page(conn, run, "alpha", "https://alpha.example/news/2.html",
                           hostile_page("Steel\\u0000 output \\ud800 rises", "Li\\u0000 W\\ud800ei"))
    summary = extract_pages(db_url, {}, workers=workers)
    assert (summary.pages, summary.articles_new, summary.failed) == (2, 2, 0)
    authors, keywords, categories, image = conn.execute(
        "SELECT authors, keywords, categories, image_url FROM article WHERE raw_page_id = %s", (hostile,)).fetchone()
    assert authors == ["Li W\ufffdei"]
    assert keywords == ["aluminium", "smelt\ufffding"] and categories == ["Metals"]
    assert image == "https://alpha.example/i\ufffd.jpg"
    assert conn.execute("SELECT outcome FROM page_extraction WHERE raw_page_id = %s", (healthy,)).fetchone() == (
        "article",)
    assert extract_pages(db_url, {}, workers=workers).pages == 0, "a later run has nothing left to redo"


# Each alone, as a page may carry it, and what the store keeps of it
HOSTILE_VALUES = {"nul": ("a\x00b", "ab"), "lone-surrogate": ("a\ud800b", "a\ufffdb"),
                  "both": ("a\x00b\udc00c", "ab\ufffdc")}
TEXT_COLUMNS = ("title", "text", "editor", "original_source", "published_raw", "published_rule", "language",
                "image_url", "url")
ARRAY_COLUMNS = ("authors", "categories", "keywords")


def article(page_id: int, slug: str, **columns) -> PageOutcome:
    text = columns.get("text", f"Story {slug}: smelters raised copper output for a third month. " * 3)
    values = {
        "canonical_url": f"https://alpha.example/news/{slug}", "url": f"https://alpha.example/news/{slug}",
        "site_key": "alpha", "raw_page_id": page_id, "title": "Copper output rises", "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        "fingerprint": int(hashlib.sha256(slug.encode()).hexdigest()[:15], 16), "authors": ["Li Wei"], "editor": None,
        "reviewers": {}, "original_source": None, "published_at": None, "published_raw": None,
        "published_rule": None, "language": "en", "paywalled": False, "image_url": None, "categories": [],
        "keywords": [], "rule_version": 1, "extractor_version": "t",
    }
    return PageOutcome(raw_page_id=page_id, site_key="alpha", rule_version=1, extractor_version="t",
                       article=values | columns)


def pages(conn, count: int) -> list[int]:
    run = add_crawl_run(conn, "alpha")
    return [add_raw_page(conn, run, "alpha", f"https://alpha.example/p/{i}", b"<html></html>") for i in range(count)]


@pytest.mark.parametrize("kind", HOSTILE_VALUES)
@pytest.mark.parametrize("first_save", [True, False], ids=["new-article-copy", "stored-article-upsert"])
def test_every_text_column_and_note_is_stored_without_nul_or_lone_surrogates(conn, first_save, kind):
    bad, kept = HOSTILE_VALUES[kind]
    page, rejected_page = pages(conn, 2)
    if not first_save:  # the row exists: the second save goes through the upserts, not COPY
        save_outcomes(conn, [article(page, "x", canonical_url=f"https://alpha.example/news/x{kept}"),
                             PageOutcome(rejected_page, "alpha", 1, "t", reason="empty")])
    hostile = article(page, "x", **{c: bad for c in TEXT_COLUMNS}, **{c: [bad] for c in ARRAY_COLUMNS},
                      reviewers={bad: [bad]}, canonical_url=f"https://alpha.example/news/x{bad}")
    rejection = PageOutcome(rejected_page, "alpha", 1, "t", reason="not_article", detail=f"list page {bad}")
    save_outcomes(conn, [hostile, rejection])
    row = conn.execute(f"SELECT {', '.join(TEXT_COLUMNS + ARRAY_COLUMNS)}, reviewers, canonical_url "
                       "FROM article").fetchall()
    assert row == [(*[kept] * len(TEXT_COLUMNS), *[[kept]] * len(ARRAY_COLUMNS), {kept: [kept]},
                    f"https://alpha.example/news/x{kept}")]
    assert conn.execute("SELECT reason, detail FROM page_extraction WHERE raw_page_id = %s",
                        (rejected_page,)).fetchone() == ("not_article", f"list page {kept}")


def test_the_cleaning_keeps_every_character_and_joins_a_split_surrogate_pair():
    assert storable_text("铝价 \u00e9t\u00e9 🙂") == "铝价 \u00e9t\u00e9 🙂"
    assert storable_text("smile \ud83d\ude42") == "smile 🙂"
    assert storable_text("\udc00\x00\ud800") == "\ufffd\ufffd"


def incompressible(length: int) -> str:
    """Random URL characters: an index entry cannot shrink them below its size limit by compressing."""
    chooser = random.Random(length)
    return "".join(chooser.choice(string.ascii_letters + string.digits) for _ in range(length))


def test_a_canonical_url_too_long_for_its_index_is_replaced_by_the_page_url(conn):
    long_canonical, healthy = pages(conn, 2)
    page_url = "https://alpha.example/news/long-canonical.html"
    counts = save_outcomes(conn, [
        article(long_canonical, "x", canonical_url="https://alpha.example/" + incompressible(12_000), url=page_url),
        article(healthy, "y"),
    ])
    assert counts.new == 2 and counts.refused == []
    assert conn.execute("SELECT canonical_url FROM article WHERE raw_page_id = %s",
                        (long_canonical,)).fetchone() == (page_url,)


def test_a_page_whose_urls_are_both_too_long_is_recorded_as_failed_and_the_rest_saved(conn):
    too_long, healthy = pages(conn, 2)
    long_url = "https://alpha.example/" + incompressible(12_000)
    counts = save_outcomes(conn, [article(too_long, "x", canonical_url=long_url, url=long_url + "?a=1"),
                                  article(healthy, "y")])
    assert counts.new == 1 and [o.raw_page_id for o in counts.refused] == [too_long]
    outcome, reason, detail = conn.execute("SELECT outcome, reason, detail FROM page_extraction "
                                           "WHERE raw_page_id = %s", (too_long,)).fetchone()
    assert (outcome, reason) == ("rejected", "extractor_error") and "longer than an index entry" in detail
    assert conn.execute("SELECT count(*) FROM article").fetchone() == (1,)


# A value no cleaning touches and the database refuses: a fingerprint past bigint (numeric_value_out_of_range).
OUT_OF_RANGE = 1 << 63


@pytest.mark.parametrize("first_save", [True, False], ids=["new-articles-copy", "stored-articles-upsert"])
def test_a_row_the_database_refuses_costs_only_its_page_with_the_databases_reason(conn, first_save):
    before, refused, after = pages(conn, 3)
    if not first_save:
        save_outcomes(conn, [article(before, "a", title="Draft"), article(refused, "b", title="Draft"),
                             article(after, "c", title="Draft")])
    counts = save_outcomes(conn, [article(before, "a"), article(refused, "b", fingerprint=OUT_OF_RANGE),
                                  article(after, "c")])
    assert [o.raw_page_id for o in counts.refused] == [refused]
    recorded = {page: rest for page, *rest in conn.execute(
        "SELECT raw_page_id, outcome, reason, detail FROM page_extraction")}
    assert recorded[before][:2] == recorded[after][:2] == ["article", None]
    outcome, reason, detail = recorded[refused]
    assert (outcome, reason) == ("rejected", "extractor_error")
    assert "refused" in detail and "out of range" in detail and "NumericValueOutOfRange" in detail
    titles = dict(conn.execute("SELECT canonical_url, title FROM article"))
    assert titles["https://alpha.example/news/a"] == titles["https://alpha.example/news/c"] == "Copper output rises"


def test_an_extraction_run_counts_a_refused_page_as_failed(conn, db_url, monkeypatch):
    import ingot.page_outcome as page_outcome

    run = add_crawl_run(conn, "alpha")
    refused = add_raw_page(conn, run, "alpha", "https://alpha.example/news/1.html", news_page())
    add_raw_page(conn, run, "alpha", "https://alpha.example/news/2.html", news_page("Copper output rises"))
    row = page_outcome.article_row

    def out_of_range_for_the_first(result, page, rule_version):
        values = row(result, page, rule_version)
        return values | {"fingerprint": OUT_OF_RANGE} if page["id"] == refused else values

    monkeypatch.setattr(page_outcome, "article_row", out_of_range_for_the_first)
    summary = extract_pages(db_url, {}, workers=1)
    assert (summary.pages, summary.articles_new, summary.failed) == (2, 1, 1)
    assert "failed: 1" in summary.line()
