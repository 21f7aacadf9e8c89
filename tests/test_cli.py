"""The operator CLI, run as a real subprocess: exit codes and one-line errors."""

import os
import subprocess
import sys

import psycopg
import pytest

from ingot.cli import build_parser
from ingot.database import stop_embedded_server


def run_ingot(*args, env=None, **kwargs):
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "ingot.cli", *args], capture_output=True, text=True, env=environment, timeout=120,
        **kwargs,
    )


def all_command_paths(parser, prefix=()):
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        for name, sub in action.choices.items():
            yield (*prefix, name)
            yield from all_command_paths(sub, (*prefix, name))


@pytest.mark.parametrize("path", list(all_command_paths(build_parser())))
def test_every_command_has_help(path):
    result = run_ingot(*path, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: ingot" in result.stdout


def test_broken_database_url_gives_one_line_naming_the_host_never_the_password():
    url = "postgresql://news:s3cret-pw@db.invalid:5432/news"
    result = run_ingot("db", "upgrade", env={"INGOT_DATABASE_URL": url})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "db.invalid" in lines[0] and "INGOT_DATABASE_URL" in lines[0]
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_refused_connection_is_one_line_with_exit_2():
    result = run_ingot("db", "upgrade", env={"INGOT_DATABASE_URL": "postgresql://u:pw123456@127.0.0.1:1/news"})
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "127.0.0.1:1" in result.stderr and "pw123456" not in result.stderr


def test_db_upgrade_and_url_use_the_configured_server(pg_server_url):
    name = "ingot_cli_test"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    url = psycopg.conninfo.make_conninfo(pg_server_url, dbname=name)
    env = {"INGOT_DATABASE_URL": url}
    first = run_ingot("db", "upgrade", env=env)
    second = run_ingot("db", "upgrade", env=env)
    printed = run_ingot("db", "url", env=env)
    assert first.returncode == 0 and "applied 0001" in first.stdout, first.stderr
    assert second.returncode == 0 and "up to date" in second.stdout and "applied" not in second.stdout
    assert printed.stdout.strip() == url
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migration").fetchone()[0] >= 5


def test_embedded_server_is_started_and_reused_when_no_url_is_set(tmp_path):
    env = {"INGOT_HOME": str(tmp_path / "home"), "INGOT_DATABASE_URL": ""}
    try:
        first = run_ingot("db", "upgrade", env=env)
        url = run_ingot("db", "url", env=env).stdout.strip()
        assert first.returncode == 0, first.stderr
        assert str(tmp_path / "home" / "pgdata") in url
        with psycopg.connect(url) as conn:
            names = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert {"site", "crawl_run", "raw_page", "article"} <= names
    finally:
        stop_embedded_server(tmp_path / "home" / "pgdata")


def test_malformed_site_rule_is_one_line_naming_file_and_key(tmp_path):
    (tmp_path / "broken.yaml").write_text(
        "key: broken\nname: B\nbase_url: https://b.example/\ntimezone: UTC\nrule_version: 1\n"
        "allowed_hosts: [b.example]\ncrawl:\n  article_patterns: ['(unclosed']\n"
    )
    result = run_ingot("sites", env={"INGOT_SITES_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "broken.yaml" in result.stderr and "crawl.article_patterns[0]" in result.stderr
