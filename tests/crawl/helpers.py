"""Shared helpers of the crawl tests: run the real crawler subprocess against a fixture web, read what it stored."""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import date
from pathlib import Path

import psycopg

from ingot.crawl_job import crawl_site
from ingot.paths import FIXTURE_WEB_DIR, PROJECT_ROOT, SITES_DIR
from ingot.settings import Settings

EXPECTED_DIR = PROJECT_ROOT / "tests" / "fixtures" / "expected"


def expected(site_key: str) -> dict:
    return json.loads((EXPECTED_DIR / f"{site_key}.json").read_text(encoding="utf-8"))


def crawl(db_url: str, web, site_key: str, day: date, *, sites_dir: Path = SITES_DIR, home: Path | None = None,
          overrides: dict | None = None):
    settings = Settings(database_url=db_url, home=home or Path("/nonexistent-ingot-home"), sites_dir=sites_dir,
                        contact_url="https://example.org/ingot-tests", news_timezone="Asia/Shanghai",
                        raw_retention_days=90, fixture_web=web.address)
    return crawl_site(settings, site_key, day, overrides=overrides, progress=lambda line: None)


def stored_pages(db_url: str, site_key: str, kind: str | None = "article") -> dict[str, dict]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT url, kind, final_url, canonical_url, http_status, body_zlib, body_sha256, body_size,"
            " declared_encoding, detected_encoding, headers FROM raw_page WHERE site_key = %s"
            " AND (%s::text IS NULL OR kind = %s)",
            (site_key, kind, kind),
        ).fetchall()
    names = ["url", "kind", "final_url", "canonical_url", "http_status", "body_zlib", "body_sha256", "body_size",
             "declared_encoding", "detected_encoding", "headers"]
    pages = {}
    for row in rows:
        page = dict(zip(names, row))
        page["body"] = zlib.decompress(page.pop("body_zlib"))
        pages[page["url"]] = page
    return pages


def fixture_sha256(relative: str, root: Path = FIXTURE_WEB_DIR) -> str:
    return hashlib.sha256((root / relative).read_bytes()).hexdigest()
