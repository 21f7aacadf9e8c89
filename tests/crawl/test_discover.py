"""`ingot sites discover URL` on sites no rule knows: the draft it writes loads, lists, checks clean, and a crawl
with it stores the site's articles."""

from __future__ import annotations

import re
import shutil
from datetime import date

import yaml

from ingot.cli import main
from ingot.fixture_web import FixtureWeb
from ingot.paths import FIXTURE_WEB_DIR
from ingot.sites import load_sites
from tests.crawl.helpers import crawl, stored_pages
from tests.crawl.test_autodiscovery import ALLOYS_ARTICLES, METALS_ARTICLES

DAY = date(2026, 9, 28)
METALS_PATTERN = r"^https?://news\.example-metals\.test/news/\d+/\d+/\d+/[a-z0-9-]+\.html$"


def run_ingot(monkeypatch, capsys, web, *args, sites_dir=None):
    monkeypatch.setenv("INGOT_FIXTURE_WEB", web.address)
    monkeypatch.setenv("INGOT_CONTACT_URL", "https://example.org/ingot-tests")
    if sites_dir is not None:
        monkeypatch.setenv("INGOT_SITES_DIR", str(sites_dir))
    status = main(list(args))
    return status, capsys.readouterr().out.splitlines()


def test_a_discovered_draft_is_a_rule_that_crawls_the_unseen_site(db_url, fixture_web, tmp_path, monkeypatch,
                                                                 capsys):
    drafts = tmp_path / "drafts"
    status, out = run_ingot(monkeypatch, capsys, fixture_web, "sites", "discover",
                            "https://news.example-metals.test/", "--output", str(drafts))

    assert status == 0, out
    report = "\n".join(out)
    assert "ok       robots    https://news.example-metals.test/robots.txt  HTTP 200, 1 Sitemap line(s)" in report
    assert "ok       home      https://news.example-metals.test/  names 1 feed(s)" in report
    assert "3 entries, 3 link(s) on the site, 3 dated" in report
    assert "5 locations, 5 link(s) on the site, 5 dated" in report
    articles = [line for line in out if line.startswith("ok       article")]
    assert len(articles) == 3 and all("title '" in line and "date 2026-09-2" in line and " characters" in line
                                      for line in articles)
    assert "sampled 5 newest link(s); the proposed article_patterns match 4:" in out
    assert {r.host for r in fixture_web.requested()} == {"news.example-metals.test"}  # not the partner feed's host
    assert "/search" not in [r.path for r in fixture_web.requested()]

    rule = yaml.safe_load((drafts / "news_example_metals.yaml").read_text(encoding="utf-8"))
    assert rule["enabled"] is False and rule["allowed_hosts"] == ["news.example-metals.test"]
    assert rule["crawl"]["feeds"] == ["https://news.example-metals.test/feed.xml"]
    assert rule["crawl"]["sitemaps"] == ["robots"]
    assert rule["crawl"]["article_patterns"] == [METALS_PATTERN]
    assert rule["checked"].startswith("draft by `ingot sites discover https://news.example-metals.test/`")
    assert rule["languages"] == ["en"] and rule["name"] == "Example Metals News"

    site = load_sites(drafts)["news_example_metals"]
    assert not site.enabled and site.crawl.sitemaps_from_robots
    status, listed = run_ingot(monkeypatch, capsys, fixture_web, "sites", sites_dir=drafts)
    assert status == 0 and listed[0].split()[:2] == ["news_example_metals", "disabled"]
    status, checked = run_ingot(monkeypatch, capsys, fixture_web, "sites", "check", "news_example_metals")
    assert status == 0, checked

    outcome = crawl(db_url, fixture_web, "news_example_metals", DAY, sites_dir=drafts)
    assert outcome.status == "succeeded", outcome.error
    assert set(stored_pages(db_url, "news_example_metals")) == METALS_ARTICLES
    assert not any(re.search(METALS_PATTERN, url) for url in ["https://news.example-metals.test/about/"])


def test_a_site_with_no_feed_nor_sitemap_gets_its_page_as_the_list(db_url, tmp_path, monkeypatch, capsys):
    root = tmp_path / "web"
    shutil.copytree(FIXTURE_WEB_DIR / "www.example-alloys.test", root / "www.example-alloys.test")
    (root / "www.example-alloys.test" / "atom.xml").unlink()
    drafts = tmp_path / "drafts"
    with FixtureWeb(root) as web:
        status, out = run_ingot(monkeypatch, capsys, web, "sites", "discover", "https://www.example-alloys.test/",
                                "--output", str(drafts), "--key", "alloys")
        assert status == 0, out
        rule = yaml.safe_load((drafts / "alloys.yaml").read_text(encoding="utf-8"))
        assert rule["crawl"]["lists"] == [{"url": "https://www.example-alloys.test/", "max_pages": 1}]
        assert rule["crawl"]["article_patterns"] == [r"^https?://www\.example-alloys\.test/\d+/\d+/[a-z0-9-]+/$"]
        assert "feeds" not in rule["crawl"] and "sitemaps" not in rule["crawl"]
        assert any(line.startswith("empty    home") for line in out)

        outcome = crawl(db_url, web, "alloys", DAY, sites_dir=drafts)
    assert outcome.status == "succeeded", outcome.error
    assert set(stored_pages(db_url, "alloys")) == ALLOYS_ARTICLES


def test_discover_keeps_an_existing_rule_and_writes_nothing_for_a_site_without_articles(fixture_web, tmp_path,
                                                                                       monkeypatch, capsys):
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "news_example_metals.yaml").write_text("# an operator's rule\n", encoding="utf-8")
    monkeypatch.setenv("INGOT_FIXTURE_WEB", fixture_web.address)
    assert main(["sites", "discover", "https://news.example-metals.test/", "--output", str(drafts)]) == 1
    assert "exists; pass --force" in capsys.readouterr().err
    assert (drafts / "news_example_metals.yaml").read_text(encoding="utf-8") == "# an operator's rule\n"

    status, out = run_ingot(monkeypatch, capsys, fixture_web, "sites", "discover", "http://www.cmra.cn/",
                            "--output", str(drafts))
    assert status == 1 and out[-1].startswith("cmra: no article links found; no draft written")
    assert not (drafts / "cmra.yaml").exists()
