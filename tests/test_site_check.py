"""`ingot sites check KEY` on the fixture web: one verdict per source, a changed layout named, a non-zero exit
status when any source fails; and the probes' polite HTTP client (hosts, robots.txt, redirects, size)."""

from __future__ import annotations

import shutil

import pytest

from ingot.cli import main
from ingot.fixture_web import FixtureWeb
from ingot.paths import FIXTURE_WEB_DIR, SITES_DIR
from ingot.polite_fetch import PoliteFetcher

UA = "ingot-newsbot/0.1 (+https://example.org/ingot-tests)"
CMRA_LIST = "http://www.cmra.cn/cmra/xiehuigongzuo/"
CMRA_NEW = "http://www.cmra.cn/cmra/xiehuigongzuo/20260923/284512.html"
CMRA_OLD = "http://www.cmra.cn/cmra/xiehuigongzuo/20210118/204436.html"


def run_check(monkeypatch, capsys, web, key, *extra, sites_dir=SITES_DIR):
    monkeypatch.setenv("INGOT_FIXTURE_WEB", web.address)
    monkeypatch.setenv("INGOT_SITES_DIR", str(sites_dir))
    monkeypatch.setenv("INGOT_CONTACT_URL", "https://example.org/ingot-tests")
    status = main(["sites", "check", key, *extra])
    out = capsys.readouterr().out.splitlines()
    return status, {tuple(line.split()[:3]): line for line in out[1:-1]}, out


def copy_site(tmp_path, host="www.cmra.cn"):
    root = tmp_path / "web"
    shutil.copytree(FIXTURE_WEB_DIR / host, root / host)
    return root, root / host


def rule_copy(tmp_path, key, old, new):
    sites = tmp_path / "sites"
    sites.mkdir(exist_ok=True)
    text = (SITES_DIR / f"{key}.yaml").read_text(encoding="utf-8")
    assert old in text
    (sites / f"{key}.yaml").write_text(text.replace(old, new), encoding="utf-8")
    return sites


def test_a_healthy_site_gives_one_ok_line_per_source_and_exit_0(monkeypatch, capsys, fixture_web):
    status, lines, out = run_check(monkeypatch, capsys, fixture_web, "cmra")

    assert status == 0
    assert out[0].startswith("cmra: rule v2, checked: Article path shape from a public copy")
    assert list(lines) == [("ok", "robots", "http://www.cmra.cn/robots.txt"), ("ok", "list", CMRA_LIST),
                           ("ok", "article", CMRA_NEW), ("ok", "article", CMRA_OLD)]  # newest first
    assert "2 links, 2 article link(s), 2 dated" in lines[("ok", "list", CMRA_LIST)]
    assert "date 2026-09-23" in lines[("ok", "article", CMRA_NEW)]
    assert out[-1] == "cmra: 4 ok, 0 failing, 4 requests"
    assert {r.host for r in fixture_web.requested()} == {"www.cmra.cn"}
    assert fixture_web.requested()[0].path == "/robots.txt"


def test_a_body_selector_matching_nothing_is_a_changed_layout(monkeypatch, capsys, fixture_web, tmp_path):
    sites = rule_copy(tmp_path, "cmra", "body_selector: div.article div.content", "body_selector: div.article div.text")
    status, lines, out = run_check(monkeypatch, capsys, fixture_web, "cmra", sites_dir=sites)

    assert status == 1
    changed = lines[("changed", "article", CMRA_NEW)]
    assert "body_selector 'div.article div.text' matches nothing" in changed
    assert ("ok", "list", CMRA_LIST) in lines
    assert out[-1].startswith("cmra: 2 ok, 2 failing")


def test_a_list_whose_selector_no_longer_matches_is_reported_and_nothing_else_is_fetched(monkeypatch, capsys,
                                                                                        tmp_path):
    root, site = copy_site(tmp_path)
    listing = site / "cmra" / "xiehuigongzuo" / "index.html"
    listing.write_text(listing.read_text(encoding="utf-8").replace('<ul class="list">', '<ul class="news-list">'),
                       encoding="utf-8")
    with FixtureWeb(root) as web:
        status, lines, _ = run_check(monkeypatch, capsys, web, "cmra")
        paths = [r.path for r in web.requested()]

    assert status == 1
    assert lines[("changed", "list", CMRA_LIST)].endswith("item_selector 'ul.list > li' matches nothing")
    assert not any(kind == "article" for _, kind, _ in lines)
    assert paths == ["/robots.txt", "/cmra/xiehuigongzuo/"]


def test_a_source_robots_txt_disallows_is_blocked_and_never_fetched(monkeypatch, capsys, tmp_path):
    root, site = copy_site(tmp_path)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /cmra/\n", encoding="utf-8")
    with FixtureWeb(root) as web:
        status, lines, _ = run_check(monkeypatch, capsys, web, "cmra")
        paths = [r.path for r in web.requested()]

    assert status == 1
    assert "blocked by robots.txt" in lines[("blocked", "list", CMRA_LIST)]
    assert paths == ["/robots.txt"]


def test_a_short_body_and_a_missing_date_are_named(monkeypatch, capsys, fixture_web, tmp_path):
    status, lines, _ = run_check(monkeypatch, capsys, fixture_web, "cmra", "--min-body", "1000")
    assert status == 1
    assert "body under 1000 characters (153)" in lines[("changed", "article", CMRA_NEW)]
    assert ("ok", "article", CMRA_OLD) in lines  # 1,223 characters

    root, site = copy_site(tmp_path, "www.example-alloys.test")
    article = site / "2026" / "09" / "titanium-sponge-prices-firm" / "index.html"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace('<meta property="article:published_time" content="2026-09-24T09:00:00Z">', "")
                       .replace('<time datetime="2026-09-24T09:00:00Z">2026-09-24</time>', ""), encoding="utf-8")
    atom = site / "atom.xml"
    atom.write_text(atom.read_text(encoding="utf-8").replace("<updated>2026-09-24T09:00:00Z</updated>", ""),
                    encoding="utf-8")
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "alloys.yaml").write_text(
        "key: alloys\nname: Alloys\nbase_url: https://www.example-alloys.test/\ntimezone: UTC\nrule_version: 1\n"
        "allowed_hosts: [www.example-alloys.test]\ncrawl:\n  feeds: [auto]\n", encoding="utf-8")
    with FixtureWeb(root) as web:
        status, lines, _ = run_check(monkeypatch, capsys, web, "alloys", sites_dir=sites)

    assert status == 1
    assert "feeds at the usual paths: https://www.example-alloys.test/atom.xml" in \
        lines[("ok", "home", "https://www.example-alloys.test/")]
    undated = lines[("changed", "article", "https://www.example-alloys.test/2026/09/titanium-sponge-prices-firm/")]
    assert undated.endswith("date missing (not on the page nor beside its link)")
    assert ("ok", "article", "https://www.example-alloys.test/2026/09/magnesium-ingot-exports-recover/") in lines


def test_a_feed_that_answers_html_is_changed_and_an_unknown_key_is_one_line(monkeypatch, capsys, fixture_web,
                                                                           tmp_path):
    sites = rule_copy(tmp_path, "eurometal", "feeds: [https://eurometal.net/feed/]",
                      "feeds: [https://eurometal.net/news/]")
    status, lines, _ = run_check(monkeypatch, capsys, fixture_web, "eurometal", sites_dir=sites)
    assert status == 1
    assert "not a feed (text/html" in lines[("changed", "feed", "https://eurometal.net/news/")]
    assert ("ok", "list", "https://eurometal.net/news/") in lines

    monkeypatch.setenv("INGOT_SITES_DIR", str(SITES_DIR))
    assert main(["sites", "check", "nosuchsite"]) == 2
    assert "no site 'nosuchsite'" in capsys.readouterr().err


# -- the probes' HTTP client ------------------------------------------------------------------------------------

@pytest.fixture
def own_web():
    """A fixture web of our own, so that injected faults never reach the shared one."""
    with FixtureWeb(FIXTURE_WEB_DIR) as web:
        yield web


def test_the_client_refuses_other_hosts_and_redirects_that_leave_the_site(own_web):
    fetcher = PoliteFetcher(("www.cmra.cn",), user_agent=UA, fixture_web=own_web.address)
    assert fetcher.fetch("https://m.caoyihen.com/ShowNews1.aspx?id=468110").problem == \
        "refused: outside the allowed hosts"
    assert fetcher.fetch("http://127.0.0.1/").problem == "refused: not a public http(s) address"
    own_web.inject({"kind": "redirect", "location": "https://m.caoyihen.com/"}, "www.cmra.cn", "/moved")
    moved = fetcher.fetch("http://www.cmra.cn/moved")
    assert moved.problem == "refused: outside the allowed hosts" and moved.final_url == "https://m.caoyihen.com/"
    assert not own_web.requested("m.caoyihen.com")
    assert {r.path for r in own_web.requested("www.cmra.cn")} == {"/robots.txt", "/moved"}


def test_the_client_follows_redirects_that_stay_on_the_site(own_web):
    own_web.inject({"kind": "redirect", "location": "/cmra/xiehuigongzuo/", "status": 301}, "www.cmra.cn", "/old")
    fetcher = PoliteFetcher(("www.cmra.cn",), user_agent=UA, fixture_web=own_web.address)
    page = fetcher.fetch("http://www.cmra.cn/old")
    assert page.ok and page.final_url == CMRA_LIST and "再生铝行业形势分析会".encode() in page.body


def test_unreachable_robots_txt_allows_nothing_and_large_bodies_are_refused(own_web):
    own_web.inject({"kind": "status", "status": 503}, "www.cmra.cn", "/robots.txt")
    fetcher = PoliteFetcher(("www.cmra.cn",), user_agent=UA, fixture_web=own_web.address)
    blocked = fetcher.fetch(CMRA_LIST)
    assert blocked.blocked and blocked.problem == "blocked: robots.txt unreachable (HTTP 503)"
    assert [r.path for r in own_web.requested("www.cmra.cn")] == ["/robots.txt"]

    own_web.clear_faults()
    own_web.inject({"kind": "huge", "size": 3_000_000}, "www.cmra.cn", "/huge")
    small = PoliteFetcher(("www.cmra.cn",), user_agent=UA, fixture_web=own_web.address, max_bytes=1_000_000)
    assert small.fetch("http://www.cmra.cn/huge").problem == "too large (3000000 B, over 1000000 B)"
