"""`ingot search`, `ingot export` and `ingot index` as real subprocesses against the test database."""

import io
import json
import os
import subprocess
import sys

import pyarrow.parquet as pq

from tests.test_cli import run_ingot


def env(db_url):
    return {"INGOT_DATABASE_URL": db_url}


def test_search_prints_one_result_per_line_most_relevant_first(corpus):
    result = run_ingot("search", "电解铝 碳排放", "--since", "2025-01-01", "--lang", "zh", env=env(corpus.db_url))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    day, site, rest = lines[0].split("  ", 2)
    assert len(day) == 10 and site in {"cnmn", "cmra", "chinania"}
    assert rest.startswith("中铝集团和魏桥集团联合发布") and rest.endswith("/news/initiative.html")


def test_search_in_traditional_and_thai(corpus):
    traditional = run_ingot("search", "國際鋁業協會", env=env(corpus.db_url))
    assert {line.split("  ")[1] for line in traditional.stdout.splitlines()} == {"cnmn", "cmra"}
    thai = run_ingot("search", "ทองแดง", "--limit", "5", env=env(corpus.db_url))
    assert thai.stdout.splitlines()[0].endswith("/news/cbam-thai-steel.html")


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
