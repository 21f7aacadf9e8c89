"""Incremental crawling: known articles are never requested again; only what is new is fetched."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest

from ingot.fixture_web import FixtureWeb
from ingot.paths import FIXTURE_WEB_DIR
from tests.crawl.helpers import crawl, stored_pages

DAY = date(2026, 9, 28)
CNMN = "www.cnmn.com.cn"
NEW_IDS = (474301, 474302)


@pytest.fixture
def grown_web(tmp_path):
    """A copy of the fixture web in which cnmn's first list page gained two articles and worldsteel's feed two
    releases."""
    root = tmp_path / "web"
    shutil.copytree(FIXTURE_WEB_DIR, root)
    cnmn = root / CNMN
    listing = cnmn / "ShowNewsList.aspx@id=13"
    seed = (cnmn / "ShowNews1.aspx@id=474272").read_text(encoding="utf-8")
    items = ""
    for number in NEW_IDS:
        (cnmn / f"ShowNews1.aspx@id={number}").write_text(seed.replace("界首", f"界首{number}"), encoding="utf-8")
        items += (f'      <div class="media"><h4><a href="/ShowNews1.aspx?id={number}">新文章{number}</a></h4>'
                  f'<span class="time">9月29日</span><p>……</p></div>\n')
    text = listing.read_text(encoding="utf-8")
    listing.write_text(text.replace('<div class="tab-pane active con-middle">\n',
                                    '<div class="tab-pane active con-middle">\n' + items), encoding="utf-8")

    feed = root / "worldsteel.org" / "feed" / "index.html"
    releases = root / "worldsteel.org" / "media" / "press-releases" / "2026"
    new_items = ""
    for slug in ("september-2026-crude-steel-production", "worldsteel-short-range-outlook-october-2026"):
        shutil.copytree(releases / "august-2026-crude-steel-production", releases / slug)
        new_items += (f"  <item>\n    <title>{slug}</title>\n    <link>https://worldsteel.org/media/press-releases/"
                      f"2026/{slug}/</link>\n    <pubDate>Tue, 29 Sep 2026 08:00:00 +0000</pubDate>\n  </item>\n")
    feed.write_text(re.sub(r"(  <item>)", new_items + r"\1", feed.read_text(encoding="utf-8"), count=1),
                    encoding="utf-8")
    with FixtureWeb(root) as web:
        yield web


def test_a_listing_site_fetches_only_new_articles(db_url, fixture_web, grown_web, tmp_path):
    first = crawl(db_url, fixture_web, "cnmn", DAY)
    assert first.stats["new_articles"] == 3

    fixture_web.clear_log()
    again = crawl(db_url, fixture_web, "cnmn", date(2026, 9, 29))
    paths = [r.path for r in fixture_web.requested(CNMN)]
    assert paths == ["/robots.txt", "/ShowNewsList.aspx?id=13"], "no article, and paging stops at known ones"
    assert again.status == "succeeded"
    assert again.stats["new_articles"] == 0 and again.stats["known_skipped"] == 2
    assert again.stats["requests"] == 2

    grown = crawl(db_url, grown_web, "cnmn", date(2026, 9, 30))
    paths = sorted(r.path for r in grown_web.requested(CNMN))
    assert paths == sorted(["/robots.txt", "/ShowNewsList.aspx?id=13",
                            *(f"/ShowNews1.aspx?id={number}" for number in NEW_IDS)])
    assert grown.stats["new_articles"] == 2 and grown.stats["known_skipped"] == 2
    assert len(stored_pages(db_url, "cnmn")) == 5


def test_a_feed_site_uses_conditional_get_and_fetches_only_new_items(db_url, fixture_web, grown_web):
    crawl(db_url, fixture_web, "worldsteel", DAY)
    fixture_web.clear_log()
    again = crawl(db_url, fixture_web, "worldsteel", date(2026, 9, 29))
    assert [r.path for r in fixture_web.requested("worldsteel.org")] == ["/robots.txt", "/feed/"]
    assert again.stats["not_modified"] == 1 and again.stats["responses"] == {"200": 1, "304": 1}

    grown = crawl(db_url, grown_web, "worldsteel", date(2026, 9, 30))
    paths = sorted(r.path for r in grown_web.requested("worldsteel.org"))
    assert paths == ["/feed/", "/media/press-releases/2026/september-2026-crude-steel-production/",
                     "/media/press-releases/2026/worldsteel-short-range-outlook-october-2026/", "/robots.txt"]
    assert grown.stats["new_articles"] == 2 and grown.stats["known_skipped"] == 2


def test_a_rerun_of_the_same_day_reuses_its_run_and_rows(db_url, fixture_web):
    first = crawl(db_url, fixture_web, "gmw_difang", DAY)
    second = crawl(db_url, fixture_web, "gmw_difang", DAY)
    assert second.crawl_run_id == first.crawl_run_id
    assert second.stats["new_articles"] == 0
    assert len(stored_pages(db_url, "gmw_difang")) == 2


def test_ingot_crawl_prints_progress_and_stats(db_url, fixture_web, tmp_path):
    import os
    import subprocess
    import sys

    from ingot.paths import PROJECT_ROOT

    env = {**os.environ, "INGOT_DATABASE_URL": db_url, "INGOT_FIXTURE_WEB": fixture_web.address,
           "INGOT_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "ingot.cli", "crawl", "--site", "cmra", "--day", "2026-09-28"],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "cmra: crawling news day 2026-09-28" in result.stdout
    assert "cmra: succeeded, 4 requests (200:4)" in result.stdout
    assert '"new_articles": 2' in result.stdout
