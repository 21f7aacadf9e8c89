"""`ingot search`, `ingot export` and `ingot index` as real subprocesses against the test database."""

import io
import json
import os
import subprocess
import sys

import psycopg
import pyarrow.parquet as pq
from psycopg import sql
from psycopg.conninfo import make_conninfo

from tests.test_cli import run_ingot


def env(db_url):
    return {"INGOT_DATABASE_URL": db_url}


def result_lines(stdout):
    """The result lines of `ingot search` (each may be followed by its indented snippet line)."""
    return [line for line in stdout.splitlines() if not line.startswith(" ")]


def test_search_prints_one_story_per_line_with_its_copies_and_a_snippet(corpus):
    result = run_ingot("search", "电解铝 碳排放", "--since", "2025-01-01", "--lang", "zh", env=env(corpus.db_url))
    assert result.returncode == 0, result.stderr
    [story, snippet] = result.stdout.splitlines()
    day, site, title, url, reach = story.split("  ")
    assert len(day) == 10 and site == "cnmn" and title.startswith("中铝集团和魏桥集团联合发布")
    assert url == "https://www.cnmn.com.cn/news/initiative.html" and reach == "[3 copies: chinania, cmra, cnmn]"
    assert snippet.startswith("    ") and "<b>碳排放</b>" in snippet
    assert result.stderr.strip() == "1-1 of 1 matching stories"


def test_search_every_copy_filters_and_pages(corpus):
    every = run_ingot("search", "電解鋁 碳排放", "--every-copy", "--order", "date", env=env(corpus.db_url))
    assert [line.split("  ")[1] for line in result_lines(every.stdout)] == ["chinania", "cmra", "cnmn"]
    second = run_ingot("search", "電解鋁 碳排放", "--every-copy", "--order", "date", "--limit", "1", "--offset", "1",
                       env=env(corpus.db_url))
    assert [line.split("  ")[1] for line in result_lines(second.stdout)] == ["cmra"]
    assert second.stderr.strip() == "2-2 of 3 matching copies"
    only = run_ingot("search", "铝", "--site", "cmra", "--until", "2030-01-01", "--topic", "aluminium",
                     "--every-copy", env=env(corpus.db_url))
    assert {line.split("  ")[1] for line in result_lines(only.stdout)} == {"cmra"}


def test_search_in_traditional_and_thai(corpus):
    traditional = run_ingot("search", "國際鋁業協會", env=env(corpus.db_url))
    assert [line.split("  ")[1] for line in result_lines(traditional.stdout)] == ["cnmn"]
    assert "[2 copies: cmra, cnmn]" in traditional.stdout
    thai = run_ingot("search", "ทองแดง", "--limit", "5", env=env(corpus.db_url))
    assert result_lines(thai.stdout)[0].endswith("/news/cbam-thai-steel.html")
    assert "<b>ทองแดง</b>" in thai.stdout


def test_search_refuses_a_bad_query_in_one_line(corpus):
    result = run_ingot("search", "--", "-steel", env=env(corpus.db_url))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "ingot search: search query only excludes words: add a word to look for"]


def test_search_on_a_database_without_the_schema_says_what_to_do(pg_server_url):
    name = "ingot_unmigrated_search"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        result = run_ingot("search", "铝", env=env(make_conninfo(pg_server_url, dbname=name)))
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "no search schema" in line and "ingot db upgrade" in line and "--demo" in line


def test_export_jsonl_to_stdout_and_parquet_to_a_file(corpus, tmp_path):
    jsonl = run_ingot("export", "--format", "jsonl", "--site", "smm_fr", env=env(corpus.db_url))
    assert jsonl.returncode == 0, jsonl.stderr
    assert [json.loads(line)["site"] for line in jsonl.stdout.splitlines()] == ["smm_fr"]
    target = tmp_path / "articles.parquet"
    written = run_ingot("export", "--format", "parquet", "--lang", "zh", "--output", str(target),
                        env=env(corpus.db_url))
    assert written.returncode == 0, written.stderr
    assert "exported 6 articles" in written.stderr
    assert pq.read_table(target).num_rows == 6
    assert not (tmp_path / "articles.parquet.partial").exists()


def test_export_parquet_to_stdout(corpus):
    result = subprocess.run([sys.executable, "-m", "ingot.cli", "export", "--format", "parquet"], capture_output=True,
                            env={**os.environ, **env(corpus.db_url)}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert pq.read_table(io.BytesIO(result.stdout)).num_rows == len(corpus.ids)


def test_index_reports_what_it_did(corpus, tmp_path):
    again = run_ingot("index", env=env(corpus.db_url))
    assert again.returncode == 0 and again.stdout.strip() == "indexed 0 articles"
    forced = run_ingot("index", "--reindex", "--site", "isit", env=env(corpus.db_url))
    assert forced.stdout.strip() == "indexed 2 articles"
    broken = tmp_path / "topics.yaml"
    broken.write_text("topics:\n  x:\n    hant: [鋁]\n")
    refused = run_ingot("index", "--vocabulary", str(broken), env=env(corpus.db_url))
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "unknown keys" in refused.stderr and "Traceback" not in refused.stderr
