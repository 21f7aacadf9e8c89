"""Article responses whose end is the connection's close (no Content-Length): a reset midway is a cut page,
retried and never stored; a whole close-delimited page is stored. Through the real spider and store."""

from __future__ import annotations

from datetime import date

import pytest

from ingot.fixture_web import FixtureWeb
from tests.conftest import truncate_all
from tests.crawl.helpers import crawl, stored_pages
from tests.reliability.faultsite import write_plain_site

DAY = date(2026, 9, 30)
KEY, HOST = "cutnews", "www.cutnews.com"
FAST = {"RETRY_TIMES": "1"}


@pytest.fixture(scope="module")
def cut_crawl(migrated_db_url, tmp_path_factory):
    truncate_all(migrated_db_url)
    root = tmp_path_factory.mktemp("cut")
    urls = write_plain_site(root, KEY, HOST, 4)
    with FixtureWeb(root / "web") as web:
        web.inject({"kind": "cut", "bytes": 400}, HOST, "/news/story-001.html")  # cut every time
        web.inject({"kind": "cut", "bytes": 400, "times": 1}, HOST, "/news/story-002.html")  # cut once
        web.inject({"kind": "cut"}, HOST, "/news/story-003.html")  # whole, ended by the close
        outcome = crawl(migrated_db_url, web, KEY, DAY, sites_dir=root / "sites", overrides=FAST)
        requests = [r.path for r in web.requested(HOST)]
    files = {url: (root / "web" / HOST / url.split(HOST + "/")[1]).read_bytes() for url in urls}
    yield {"urls": urls, "outcome": outcome, "pages": stored_pages(migrated_db_url, KEY), "requests": requests,
           "files": files}
    truncate_all(migrated_db_url)


def test_a_page_cut_every_time_is_retried_recorded_and_never_stored(cut_crawl):
    url = cut_crawl["urls"][1]
    assert url not in cut_crawl["pages"]
    assert cut_crawl["requests"].count("/news/story-001.html") == 2
    assert cut_crawl["outcome"].status == "partial"
    assert cut_crawl["outcome"].stats["failed_urls"] == {
        url: "response cut short (connection closed before the end of the page)"}


def test_a_page_cut_once_is_stored_whole_from_its_retry(cut_crawl):
    url = cut_crawl["urls"][2]
    assert cut_crawl["requests"].count("/news/story-002.html") == 2
    assert cut_crawl["pages"][url]["body"] == cut_crawl["files"][url]


def test_whole_pages_are_stored_whatever_ends_them(cut_crawl):
    for index in (0, 3):
        url = cut_crawl["urls"][index]
        assert cut_crawl["pages"][url]["body"] == cut_crawl["files"][url]
    assert cut_crawl["requests"].count("/news/story-003.html") == 1
    assert len(cut_crawl["pages"]) == 3
