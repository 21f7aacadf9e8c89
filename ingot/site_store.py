"""The ``site`` table mirrors the rule files; this module is its only writer."""

from __future__ import annotations

import psycopg

from ingot.sites import Site

UPSERT_SITE_SQL = """
INSERT INTO site (key, name, base_url, languages, timezone, enabled, rule_version, allowed_hosts, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, now())
ON CONFLICT (key) DO UPDATE
SET name = EXCLUDED.name, base_url = EXCLUDED.base_url, languages = EXCLUDED.languages,
    timezone = EXCLUDED.timezone, enabled = EXCLUDED.enabled, rule_version = EXCLUDED.rule_version,
    allowed_hosts = EXCLUDED.allowed_hosts,
    updated_at = CASE WHEN (site.name, site.base_url, site.languages, site.timezone, site.enabled,
                            site.rule_version, site.allowed_hosts)
                      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.base_url, EXCLUDED.languages, EXCLUDED.timezone,
                                        EXCLUDED.enabled, EXCLUDED.rule_version, EXCLUDED.allowed_hosts)
                      THEN now() ELSE site.updated_at END
"""


def save_sites(conn: psycopg.Connection, sites: dict[str, Site]) -> None:
    """Upsert every site of ``sites`` (rows of sites no longer configured are kept: pages reference them)."""
    rows = [
        (s.key, s.name, s.base_url, list(s.languages), s.timezone, s.enabled, s.rule_version, list(s.allowed_hosts))
        for s in sites.values()
    ]
    if not rows:
        return
    with conn.transaction(), conn.cursor() as cursor:
        cursor.executemany(UPSERT_SITE_SQL, rows)
