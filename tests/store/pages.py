"""Test helpers that put sites, crawl runs and raw pages in the database the way the crawler stores them."""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import date, datetime, timezone

import psycopg

FETCHED_AT = datetime(2025, 8, 1, 4, 0, tzinfo=timezone.utc)


def add_site(conn: psycopg.Connection, key: str, *, rule_version: int = 1, timezone_name: str = "Asia/Shanghai",
             hosts: tuple[str, ...] = ()) -> None:
    conn.execute(
        "INSERT INTO site (key, name, base_url, timezone, rule_version, allowed_hosts) VALUES (%s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (key) DO UPDATE SET rule_version = EXCLUDED.rule_version",
        (key, key, f"https://{hosts[0] if hosts else key + '.example'}/", timezone_name, rule_version, list(hosts)),
    )


def add_crawl_run(conn: psycopg.Connection, site_key: str, day: date = date(2025, 8, 1)) -> int:
    return conn.execute(
        "INSERT INTO crawl_run (site_key, news_day, status) VALUES (%s, %s, 'succeeded') "
        "ON CONFLICT (site_key, news_day) DO UPDATE SET status = EXCLUDED.status RETURNING id",
        (site_key, day),
    ).fetchone()[0]


def add_raw_page(conn: psycopg.Connection, crawl_run_id: int, site_key: str, url: str, body: bytes, *,
                 status: int = 200, content_type: str = "text/html", canonical_url: str | None = None,
                 fetched_at: datetime = FETCHED_AT) -> int:
    return conn.execute(
        "INSERT INTO raw_page (crawl_run_id, site_key, kind, url, final_url, canonical_url, http_status, headers, "
        "body_zlib, body_size, body_sha256, fetched_at) VALUES (%s, %s, 'article', %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " RETURNING id",
        (crawl_run_id, site_key, url, url, canonical_url or url, status,
         json.dumps({"Content-Type": content_type}), zlib.compress(body), len(body),
         hashlib.sha256(body).hexdigest(), fetched_at),
    ).fetchone()[0]
