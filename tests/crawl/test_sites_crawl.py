"""Every configured site, crawled through the real spider (one subprocess per site, run side by side) against
its fixture pages: exactly the expected article URLs, byte-identical bodies, honest stats."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import date

import pytest

from ingot.paths import SITES_DIR
from ingot.sites import load_sites
from tests.conftest import truncate_all
from ingot.crawl_job import load_outcome
from ingot.database import connect
from ingot.paths import PROJECT_ROOT
from ingot.site_store import save_sites
from tests.crawl.helpers import expected, fixture_sha256, stored_pages

SITES = load_sites(SITES_DIR)


@pytest.fixture(scope="module")
def crawled(migrated_db_url, fixture_web_server):
    truncate_all(migrated_db_url)
    fixture_web_server.clear_log()

    with connect(migrated_db_url) as conn:
        save_sites(conn, SITES)
    # every site in one subprocess (one crawler each): the spider and pipeline of crawl_site, one start-up
    env = {**os.environ, "INGOT_DATABASE_URL": migrated_db_url, "INGOT_SITES_DIR": str(SITES_DIR),
           "INGOT_FIXTURE_WEB": fixture_web_server.address, "SCRAPY_SETTINGS_MODULE": "crawlers.settings"}
    pairs = [f"{key}={expected(key)['crawl_day']}" for key in sorted(SITES)]
    subprocess.run([sys.executable, "-m", "tests.crawl.run_sites", *pairs], cwd=PROJECT_ROOT, env=env, check=True,
                   timeout=120)
    outcomes = {key: load_outcome(migrated_db_url, key, date.fromisoformat(expected(key)["crawl_day"]))
                for key in SITES}
    return migrated_db_url, fixture_web_server, outcomes


def test_the_registry_has_fifteen_enabled_sites_in_three_languages_or_more():
    enabled = [s for s in SITES.values() if s.enabled]
    assert len(enabled) >= 15
    languages = {lang.split("-")[0] for s in enabled for lang in s.languages}
    assert {"zh", "en"} <= languages and len(languages) >= 3
    assert {"cnmn", "gmw_difang", "cmra", "smm", "isit"} <= set(SITES)


def test_every_site_has_fixture_expectations():
    for key in SITES:
        want = expected(key)
        assert want["site"] == key and len(want["articles"]) >= 2 and want["negatives"]


@pytest.mark.parametrize("site_key", sorted(SITES))
def test_site_fixture_crawl_finds_exactly_the_expected_articles(site_key, crawled):
    db_url, web, outcomes = crawled
    want, outcome = expected(site_key), outcomes[site_key]

    pages = stored_pages(db_url, site_key)
    assert set(pages) == set(want["articles"])
    for url, article in want["articles"].items():
        page = pages[url]
        assert page["http_status"] == 200
        assert page["body_sha256"] == fixture_sha256(article["fixture"])
        assert hashlib.sha256(page["body"]).hexdigest() == page["body_sha256"]
        assert page["body_size"] == len(page["body"])
    assert outcome.status == "succeeded", outcome.error
    assert outcome.error is None
    stats = outcome.stats
    assert stats["new_articles"] == len(want["articles"]) == stats["pages"]["article"]
    assert stats["errors"] == 0 and stats["known_skipped"] == 0
    assert stats["requests"] == sum(stats["responses"].values())
    assert stats["bytes"] >= sum(p["body_size"] for p in pages.values())
    assert stats["finish_reason"] == "finished" and stats["duration_s"] > 0

    all_pages = stored_pages(db_url, site_key, kind=None)
    hosts = set(SITES[site_key].allowed_hosts)
    assert all(p["final_url"].split("/")[2] in hosts for p in all_pages.values())
    for url in want["negatives"]:
        if all_pages.get(url):
            assert all_pages[url]["kind"] == "list", f"{url} stored as {all_pages[url]['kind']}"


def test_no_request_left_the_allowed_hosts_and_the_mirror_was_never_touched(crawled):
    _, web, _ = crawled
    allowed = {host for site in SITES.values() for host in site.allowed_hosts}
    requested_hosts = {r.host for r in web.requested()}
    assert requested_hosts <= allowed
    assert not web.requested("m.caoyihen.com")
    assert not web.requested("index.mysteel.com") and not web.requested("passport.mysteel.com")


def test_a_gbk_page_is_stored_byte_for_byte_with_its_declared_encoding(crawled):
    db_url, _, _ = crawled
    page = stored_pages(db_url, "mysteel")["https://chongqing.mysteel.com/a/26092709/0A1B2C3D4E5F6071.html"]
    assert page["declared_encoding"] == "gbk"
    assert page["detected_encoding"] == "gb18030"
    assert "重庆地区建筑钢材" in page["body"].decode("gb18030")


def test_robots_disallow_is_obeyed(crawled):
    _, web, outcomes = crawled
    paths = [r.path for r in web.requested("www.fastmarkets.com")]
    assert "/robots.txt" in paths
    assert not any(path.startswith("/insights/preview/") for path in paths)
    assert outcomes["fastmarkets"].stats["robots_forbidden"] == 1


def test_old_google_news_entries_and_old_list_items_are_not_fetched(crawled):
    _, web, _ = crawled
    assert not any("1391234" in r.path for r in web.requested("www.steelorbis.com"))
    assert not any("-0815/" in r.path for r in web.requested("www.kallanish.com"))


def test_cnmn_pages_through_its_list(crawled):
    _, web, outcomes = crawled
    assert "/ShowNewsList.aspx?id=13&pageindex=2" in [r.path for r in web.requested("www.cnmn.com.cn")]
    assert outcomes["cnmn"].stats["pages"] == {"article": 3, "list": 2}
