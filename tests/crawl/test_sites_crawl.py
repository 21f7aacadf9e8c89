"""Every configured site, crawled through the real spider (subprocess) against its fixture pages."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from ingot.sites import load_sites
from ingot.paths import SITES_DIR
from tests.crawl.helpers import crawl, expected, fixture_sha256, stored_pages

SITE_KEYS = sorted(load_sites(SITES_DIR))


def test_the_registry_has_fifteen_enabled_sites_in_three_languages_or_more():
    sites = load_sites(SITES_DIR)
    enabled = [s for s in sites.values() if s.enabled]
    assert len(enabled) >= 15
    languages = {lang.split("-")[0] for s in enabled for lang in s.languages}
    assert {"zh", "en"} <= languages and len(languages) >= 3
    assert {"cnmn", "gmw_difang", "cmra", "smm", "isit"} <= set(sites)


@pytest.mark.parametrize("site_key", SITE_KEYS)
def test_site_fixture_crawl_finds_exactly_the_expected_articles(site_key, db_url, fixture_web):
    want = expected(site_key)
    outcome = crawl(db_url, fixture_web, site_key, date.fromisoformat(want["crawl_day"]))

    pages = stored_pages(db_url, site_key)
    assert set(pages) == set(want["articles"])
    for url, article in want["articles"].items():
        page = pages[url]
        assert page["http_status"] == 200
        assert page["body_sha256"] == fixture_sha256(article["fixture"])
        assert hashlib.sha256(page["body"]).hexdigest() == page["body_sha256"]
        assert page["body_size"] == len(page["body"])
    assert outcome.status == "succeeded", outcome.error
    assert outcome.stats["new_articles"] == len(want["articles"])
    assert outcome.stats["errors"] == 0
    assert outcome.stats["requests"] == sum(outcome.stats["responses"].values())
    assert outcome.stats["bytes"] > sum(p["body_size"] for p in pages.values())

    site = load_sites(SITES_DIR)[site_key]
    requested = fixture_web.requested()
    assert {r.host for r in requested} <= set(site.allowed_hosts)
    all_pages = stored_pages(db_url, site_key, kind=None)
    for url in want["negatives"]:
        assert url not in pages
    assert not any(url.startswith("https://m.caoyihen.com") for url in all_pages)
