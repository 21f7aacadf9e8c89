"""Exports of the articles view round-trip in every format, filter like the CLI says, and stream."""

import csv
import datetime
import io
import json

import psycopg
import pyarrow.parquet as pq
import pytest

from ingot.export import export_articles


def view_rows(db_url, where="true"):
    with psycopg.connect(db_url) as conn:
        cur = conn.execute(f"SELECT * FROM news.articles WHERE {where} ORDER BY id")
        names = [d.name for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def export(db_url, fmt, **options):
    out = io.BytesIO()
    count = export_articles(db_url, out, fmt=fmt, batch_rows=3, **options)
    return count, out.getvalue()


def normalise(row):
    """The database row as the export promises it: ISO strings for times and days."""
    return {k: v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v for k, v in row.items()}


def test_jsonl_round_trips(corpus):
    count, data = export(corpus.db_url, "jsonl")
    lines = data.decode("utf-8").splitlines()
    assert count == len(lines) == len(corpus.ids)
    assert [json.loads(line) for line in lines] == [normalise(r) for r in view_rows(corpus.db_url)]


def test_csv_round_trips(corpus):
    count, data = export(corpus.db_url, "csv")
    parsed = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    expected = view_rows(corpus.db_url)
    assert count == len(parsed) == len(expected)
    for got, row in zip(parsed, expected):
        assert got["title"] == row["title"] and got["text"] == row["text"]  # newlines and quotes survive
        assert int(got["id"]) == row["id"]
        assert json.loads(got["tags"]) == row["tags"]
        assert got["is_canonical"] == ("true" if row["is_canonical"] else "false")
        assert datetime.datetime.fromisoformat(got["published_at"]) == row["published_at"]
        assert got["editor"] == ""  # NULL


def test_parquet_round_trips(corpus):
    count, data = export(corpus.db_url, "parquet")
    parquet = pq.ParquetFile(io.BytesIO(data))
    assert parquet.metadata.num_row_groups == 4  # 10 rows in batches of 3: streamed, one row group per batch
    table = parquet.read()
    expected = view_rows(corpus.db_url)
    assert count == table.num_rows == len(expected)
    assert table.column_names == list(expected[0])
    for got, row in zip(table.to_pylist(), expected):
        assert got == row


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_empty_export_is_a_valid_file(db_url, fmt):
    count, data = export(db_url, fmt)
    assert count == 0
    if fmt == "parquet":
        assert pq.read_table(io.BytesIO(data)).num_rows == 0
    elif fmt == "csv":
        assert data.decode().splitlines()[0].startswith("id,site,url")
    else:
        assert data == b""


def test_filters(corpus):
    def ids(**options):
        return [json.loads(line)["id"] for line in export(corpus.db_url, "jsonl", **options)[1].splitlines()]

    assert ids(site="isit") == [corpus.ids["en_isit_conference"], corpus.ids["th_cbam"]]
    assert set(ids(lang="zh")) == {v for k, v in corpus.ids.items() if k.startswith("zh")}
    assert ids(lang="zh-hant") == [corpus.ids["zh_hant_meeting"], corpus.ids["zh_hant_meeting_cmra"]]
    assert corpus.ids["en_isit_conference"] not in ids(since=datetime.date(2024, 1, 1))
    assert ids(site="isit", lang="th", since=datetime.date(2024, 1, 1)) == [corpus.ids["th_cbam"]]


def test_unknown_format_is_refused(db_url):
    with pytest.raises(ValueError, match="unknown export format"):
        export(db_url, "xml")


FORMULA_TITLES = ['=HYPERLINK("http://evil.example/","click me")', "+1 for copper", "-5% for nickel",
                  "@SUM(A1:A9)", "\tindented", "\rcarriage"]


def test_csv_cells_that_would_start_a_formula_are_written_as_text(db_url):
    from tests.analysts.conftest import insert_article, insert_sites

    ordinary = ["Zinc = steady", "Copper at $9,000 - a high", "2025 outlook"]
    with psycopg.connect(db_url) as conn:
        insert_sites(conn)
        for n, title in enumerate(FORMULA_TITLES + ordinary):
            insert_article(conn, site="alcircle", slug=f"t{n}", title=title, body=f"Body {n}.",
                           language="en", published_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC),
                           authors=["=cmd|' /C calc'!A0"] if n == 0 else ())
    _, data = export(db_url, "csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert [row["title"] for row in rows] == ["'" + t for t in FORMULA_TITLES] + ordinary
    assert json.loads(rows[0]["authors"]) == ["=cmd|' /C calc'!A0"]  # a JSON array cell starts with [
    _, lines = export(db_url, "jsonl")
    assert [json.loads(line)["title"] for line in lines.decode().splitlines()] == FORMULA_TITLES + ordinary
