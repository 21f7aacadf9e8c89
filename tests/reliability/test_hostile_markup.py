"""Markup built to make a scanner slow, at 1 MB: the crawler's page-body scanners stay linear.

Each shape made a regular expression retry a lazy ``.*?`` or a ``[^>]*`` from every one of its openings (the
``rel=canonical`` scan took 55 s on 100 KB). No clock here: a scan that hung would fail the suite's per-test limit;
the assertions are about what each scan returns.
"""

from __future__ import annotations

import pytest

from crawlers.pages import declared_charset, rel_canonical
from crawlers.documents import count_tags, is_closed, looks_like_html, outside_comments, root_name, up_to_last_end_tag
from crawlers.urls import is_public_web_url

MB = 1024 * 1024
HEAD = b"<html><head><title>t</title>"
CANONICAL = b'<link rel="canonical" href="/found">'


@pytest.mark.parametrize("shape, expected", [
    (HEAD + b"<!--" + b"a" * MB, None),  # an unclosed comment hides the rest, as from a parser
    (HEAD + b"<!--" * (MB // 4), None),
    (HEAD + b"<link " + b"a" * MB, None),  # an unclosed <link
    (HEAD + b"<link " * (MB // 6), None),  # many '<link ' and no '>'
    (HEAD + b"<link " * (MB // 6) + b">" + CANONICAL, "/found"),
    (HEAD + (b"<link " + b"a" * 3000 + b">") * (MB // 3007) + CANONICAL, "/found"),  # names without '='
    (HEAD + b"<link " + b"a=" * (MB // 2) + b">" + CANONICAL, "/found"),  # a tag too long to be a canonical
    (HEAD + b"<!-- x -->" * (MB // 10) + CANONICAL + b"</head>", "/found"),
    (HEAD + b"<" * MB + CANONICAL, "/found"),
])
def test_rel_canonical_on_adversarial_heads_of_1_mb(shape, expected):
    assert rel_canonical(shape) == expected


@pytest.mark.parametrize("data", [b"<!--" * (MB // 4), b"<![CDATA[" * (MB // 9), b"<!--" + b"a" * MB])
def test_comment_stripping_of_unclosed_openings_at_1_mb(data):
    assert outside_comments(data) == data  # nothing closed, nothing removed
    assert count_tags(data + b"<item>", ("item",)) == 1


def test_comment_stripping_keeps_what_lies_between():
    assert outside_comments(b"a<!-- x -->b<![CDATA[<item>]]>c<!-- open") == b"abc<!-- open"


def test_cut_document_of_1_mb_of_end_tag_openings():
    assert up_to_last_end_tag(b"<rss><item>x</item>" + b"</" * (MB // 2)) == b"<rss><item>x</item>"
    assert up_to_last_end_tag(b"</" * (MB // 2)) == b""


@pytest.mark.parametrize("data", [b"<!--" * (MB // 4), b"<!DOCTYPE " + b"[" * MB, b"<?" * (MB // 2),
                                  b" " * MB + b"<"])
def test_document_sniffing_of_1_mb_of_openings(data):
    assert root_name(data) is None
    assert looks_like_html(data) is False
    assert is_closed(data, "rss") is False
    assert declared_charset("text/html", data) is None


def test_charset_sniffing_of_1_mb_of_meta_openings():
    assert declared_charset("text/html", b"<meta " * (MB // 6)) is None
    assert declared_charset("text/html", b"<?xml " * (MB // 6)) is None


@pytest.mark.parametrize("url", [
    "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/", "http://127.0.1/",
    "http://0x7f.0.0.1/", "http://017700000001/", "http://0/", "http://167772161/", "http://0xa9fea9fe/latest/",
    "http://192.168.0x1.1/", "http://[::ffff:127.0.0.1]/", "http://[::1]/", "https://10.1/",
])
def test_every_numeric_form_of_an_inner_address_is_refused(url):
    assert is_public_web_url(url) is False, url


@pytest.mark.parametrize("url", ["https://8.8.8.8/", "https://134744072/", "https://0x8080808/",
                                 "https://www.163.com/", "https://123.example/", "https://0xcafe.example/",
                                 "https://1e100.net/"])
def test_public_numbers_and_names_made_of_digits_pass(url):
    assert is_public_web_url(url) is True, url


def test_a_feed_past_the_entry_limit_is_read_for_its_first_entries_and_says_so(monkeypatch):
    """A feed of many thousand entries would hold the crawler's event loop for minutes: only the first
    ``MAX_FEED_ENTRIES`` are parsed, in one linear scan, and the rest is a recorded problem."""
    import crawlers.discovery as discovery

    monkeypatch.setattr(discovery, "MAX_FEED_ENTRIES", 50)
    items = "".join(f"<item><title>Story {i}</title><link>https://news.example.com/a/{i}.html</link></item>"
                    for i in range(120))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    links, problem = discovery.parse_feed(body, "https://news.example.com/feed", "UTC")
    assert [link.url for link in links] == [f"https://news.example.com/a/{i}.html" for i in range(50)]
    assert problem.startswith("feed of 120 entries: the first 50 read")
    monkeypatch.setattr(discovery, "MAX_FEED_ENTRIES", 120)
    whole, nothing_lost = discovery.parse_feed(body, "https://news.example.com/feed", "UTC")
    assert len(whole) == 120 and nothing_lost is None
