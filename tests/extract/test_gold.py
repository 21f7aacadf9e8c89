"""Seed pages against gold.json: with/without probes, title, date, credits and language.

Every seed runs in generic mode (no site rules) and with its site's rules. Probes are compared the way
SITES.md §6 says: NBSP → space, leading whitespace stripped; for seed 000 the pinyin readings are stripped from
the probes too, since the extractor strips them from the text.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime

import opencc
import pytest

from extract import Article, Rejected, extract_article
from extract.clean import PINYIN_READING

from .seeds import EXPECTED, FETCHED_AT, SEED_PAGES, load_gold

GOLD = load_gold()
MODES = ["generic", "site_rules"]


def norm(text: str) -> str:
    return "\n".join(line.replace("\u00a0", " ").strip() for line in text.split("\n"))


def probe(key: str, text: str) -> str:
    text = norm(text)
    if key.startswith("000"):
        text = PINYIN_READING.sub("", text)
    if key == "000-cnmn":  # the real cnmn page is the Simplified original of the mirror's copy
        text = opencc.OpenCC("t2s").convert(text).replace("m.caoyihen.com", "www.cnmn.com.cn")
    return text


def run(key: str, mode: str):
    page = SEED_PAGES[key]
    rules = page.rules() if mode == "site_rules" else None
    return extract_article(page.body(), page.url, rules=rules, fetched_at=FETCHED_AT, timezone=page.timezone)


ARTICLE_CASES = [(k, m) for k in ("000", "000-cnmn", "001", "002", "003", "004") for m in MODES
                 if not (k == "000" and m == "site_rules")]


@pytest.mark.parametrize("key,mode", ARTICLE_CASES)
def test_with_and_without(key, mode):
    gold = GOLD[key[:3]]
    article = run(key, mode)
    assert isinstance(article, Article), article
    text = norm(article.text)
    for snippet in gold["must_contain"]:
        assert probe(key, snippet) in text
    for snippet in gold["must_not_contain"]:
        assert probe(key, snippet) not in text
    assert "\ufffd" not in text
    limit = gold.get("title_may_appear_in_body_at_most")
    if limit is not None:
        assert text.count(article.title) <= limit


@pytest.mark.parametrize("key,mode", ARTICLE_CASES)
def test_metadata(key, mode):
    meta = GOLD[key[:3]]["expected_meta"]
    article = run(key, mode)
    t2s = opencc.OpenCC("t2s").convert if key == "000-cnmn" else (lambda s: s)
    expected_title = meta.get("title_normalized") or meta["title"]
    assert article.title == t2s(expected_title)
    published = meta["published"] or SEED_PAGES[key].url_day  # cmra prints no date; its URL path holds the day
    if published is None:
        assert article.published_at is None
    elif key.startswith("003"):  # gold: "2025-07-31T13:22 (timezone not shown; SMM is UTC+8 [guess])"
        assert article.published_at.isoformat() == "2025-07-31T13:22:00+08:00"
    elif len(published) == 10:
        assert article.published_at.date() == date.fromisoformat(published)
        assert article.published_at.utcoffset() is not None
    else:
        assert article.published_at == datetime.fromisoformat(published)
    assert article.original_source == t2s(meta["source"])
    if "authors" in meta or "author" in meta:
        assert list(article.authors) == [t2s(a) for a in meta.get("authors") or [meta["author"]]]
    if "editor" in meta:
        assert article.editor == t2s(meta["editor"])
    if "reviewers" in meta:
        assert article.reviewers == meta["reviewers"]
    if "category" in meta:
        assert t2s(meta["category"]) in article.categories


@pytest.mark.parametrize("key,mode", ARTICLE_CASES)
def test_language(key, mode):
    expected = {"000": "zh-Hant", "000-cnmn": "zh-Hans", "001": "zh-Hans", "002": "zh-Hans", "003": "fr", "004": "en"}
    assert run(key, mode).language == expected[key]


def test_mirror_is_rejected_under_cnmn_rules():
    result = run("000", "site_rules")
    assert isinstance(result, Rejected) and result.reason == "mirror"


def test_site_rules_record_the_date_rule():
    assert run("001", "site_rules").published_rule == "site:date_selector"
    assert run("001", "generic").published_rule == "text:near-headline+confirmed"
    cmra = run("002", "site_rules")  # no date on the page: the URL's day, never the body's signature date
    assert cmra.published_rule == "url" and cmra.published_at.date() == date(2021, 1, 18)


@pytest.mark.parametrize("key,mode", ARTICLE_CASES)
def test_snapshot(key, mode):
    """The whole output is pinned; INGOT_UPDATE_EXPECTED=1 rewrites the files after a reviewed change."""
    path = EXPECTED / f"{key}.{mode}.json"
    actual = run(key, mode).to_dict()
    if os.environ.get("INGOT_UPDATE_EXPECTED") == "1" or not path.exists():
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert actual == json.loads(path.read_text(encoding="utf-8"))
