"""Damaged and mislabelled discovery documents and the failures they leave, crawled by the real spider on a loopback
web: what was lost is recorded once, under the document's URL, with its reason."""

from __future__ import annotations

import shutil
from datetime import date

from ingot.fixture_web import FixtureWeb
from ingot.paths import FIXTURE_WEB_DIR
from tests.crawl.helpers import crawl

DAY = date(2026, 9, 28)


def test_a_callback_error_is_one_failure_under_the_page_url(db_url, fixture_web, tmp_path):
    """A hook that cannot read its list reply (not JSON) raises in the callback: recorded once, under the list
    URL, with the error's name and message."""
    web_root = tmp_path / "web"
    shutil.copytree(FIXTURE_WEB_DIR / "www.chinaisa.org.cn", web_root / "www.chinaisa.org.cn")
    portal = web_root / "www.chinaisa.org.cn" / "gxportal" / "xfpt" / "portal"
    reply = portal / "getColumnList@POST@body-9a5d324ab465c73b"
    reply.write_bytes(b"<html><body>Service temporarily unavailable</body></html>")
    with FixtureWeb(web_root) as web:
        outcome = crawl(db_url, web, "chinaisa", DAY)
    assert outcome.stats["errors"] == 1
    [(url, reason)] = outcome.stats["failed_urls"].items()
    assert url == "https://www.chinaisa.org.cn/gxportal/xfpt/portal/getColumnList"
    assert reason.startswith("spider error JSONDecodeError: ")
