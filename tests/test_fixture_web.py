import urllib.error
import urllib.request

import pytest

from ingot.fixture_web import FixtureWeb


def fetch(web, host, target, data=None, headers=None):
    request = urllib.request.Request(web.address + target, data=data, headers={"Host": host, **(headers or {})})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def web(tmp_path):
    site = tmp_path / "news.example.com"
    (site / "list").mkdir(parents=True)
    (site / "index.html").write_text("<html>home</html>")
    (site / "show.aspx@id=7").write_bytes("<html>文章</html>".encode("gb18030"))
    (site / "show.aspx@id=7.meta.json").write_text('{"headers": {"Content-Type": "text/html; charset=gbk"}}')
    (site / "api@POST").write_text('{"items": []}')
    with FixtureWeb(tmp_path) as server:
        yield server


def test_serves_by_host_and_path_with_query(web):
    status, headers, body = fetch(web, "news.example.com", "/show.aspx?id=7")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=gbk"
    assert body.decode("gb18030") == "<html>文章</html>"
    assert fetch(web, "news.example.com", "/")[2] == b"<html>home</html>"
    assert fetch(web, "news.example.com", "/api", data=b"params=1")[2] == b'{"items": []}'


def test_unknown_pages_and_hosts_are_404(web):
    for host, target in [("news.example.com", "/missing.html"), ("other.example.org", "/"),
                         ("news.example.com", "/../../etc/passwd")]:
        with pytest.raises(urllib.error.HTTPError) as error:
            fetch(web, host, target)
        assert error.value.code == 404


def test_conditional_get_answers_304(web):
    _, headers, _ = fetch(web, "news.example.com", "/")
    with pytest.raises(urllib.error.HTTPError) as error:
        fetch(web, "news.example.com", "/", headers={"If-None-Match": headers["ETag"]})
    assert error.value.code == 304


def test_conditional_get_by_last_modified_when_no_etag_is_sent(tmp_path):
    site = tmp_path / "feeds.example.com"
    site.mkdir()
    (site / "feed.xml").write_text("<rss/>")
    (site / "feed.xml.meta.json").write_text('{"etag": false, "headers": {"Last-Modified": '
                                             '"Mon, 28 Sep 2026 08:05:00 GMT"}}')
    with FixtureWeb(tmp_path) as web:
        _, headers, _ = fetch(web, "feeds.example.com", "/feed.xml")
        assert "ETag" not in headers
        for since in ("Mon, 28 Sep 2026 08:05:00 GMT", "Tue, 29 Sep 2026 00:00:00 GMT"):
            with pytest.raises(urllib.error.HTTPError) as error:
                fetch(web, "feeds.example.com", "/feed.xml", headers={"If-Modified-Since": since})
            assert error.value.code == 304
            assert error.value.headers["Last-Modified"] == "Mon, 28 Sep 2026 08:05:00 GMT"
        for since in ("Sun, 27 Sep 2026 08:05:00 GMT", "not a date"):
            assert fetch(web, "feeds.example.com", "/feed.xml", headers={"If-Modified-Since": since})[0] == 200


def test_if_none_match_decides_over_if_modified_since(web):
    _, headers, _ = fetch(web, "news.example.com", "/")
    stale = {"If-None-Match": '"an-older-version"', "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
    assert fetch(web, "news.example.com", "/", headers=stale)[0] == 200
    for tags in (f'"x", W/{headers["ETag"]}', "*"):
        with pytest.raises(urllib.error.HTTPError) as error:
            fetch(web, "news.example.com", "/", headers={"If-None-Match": tags})
        assert error.value.code == 304


def test_every_request_is_logged(web):
    fetch(web, "news.example.com", "/show.aspx?id=7")
    fetch(web, "news.example.com", "/api", data=b"x")
    assert [(r.method, r.host, r.path) for r in web.requested("news.example.com")] == [
        ("GET", "news.example.com", "/show.aspx?id=7"),
        ("POST", "news.example.com", "/api"),
    ]


def test_post_bodies_pick_their_own_answer(tmp_path):
    import hashlib

    site = tmp_path / "ajax.example.com"
    site.mkdir()
    (site / "api@POST").write_text("default")
    (site / f"api@POST@body-{hashlib.sha256(b'page=2').hexdigest()[:16]}").write_text("page two")
    with FixtureWeb(tmp_path) as web:
        assert fetch(web, "ajax.example.com", "/api", data=b"page=2")[2] == b"page two"
        assert fetch(web, "ajax.example.com", "/api", data=b"page=1")[2] == b"default"


def test_truncated_bodies_announce_more_than_they_send(tmp_path):
    import http.client

    site = tmp_path / "broken.example.com"
    site.mkdir()
    (site / "page.html").write_bytes(b"x" * 1000)
    (site / "page.html.meta.json").write_text('{"truncate": 100}')
    with FixtureWeb(tmp_path) as web:
        with pytest.raises(http.client.IncompleteRead):
            fetch(web, "broken.example.com", "/page.html")
