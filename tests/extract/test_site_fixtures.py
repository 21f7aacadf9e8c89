"""Every configured site's fixture articles, extracted with the site's own rules, against their expectations.

The expectations (tests/fixtures/expected/<key>.json) were written from the pages, not from the extractor's
output: title, date with its offset, credits, and what the clean text must and must not contain.
"""

import json
from datetime import date, datetime, time, timedelta, timezone
from email.message import Message

import pytest

from extract import Article, extract_article
from ingot.paths import FIXTURE_WEB_DIR, SITES_DIR
from ingot.sites import load_sites

EXPECTED_DIR = FIXTURE_WEB_DIR.parent / "expected"
SITES = load_sites(SITES_DIR)


def normalise(text: str) -> str:
    return "\n".join(line.replace("\u00a0", " ").strip() for line in text.splitlines())


def cases():
    for path in sorted(EXPECTED_DIR.glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        for url, article in expected.get("articles", {}).items():
            yield pytest.param(expected["site"], expected["crawl_day"], url, article, id=f"{expected['site']}:{url}")


def http_charset(fixture) -> str | None:
    meta = fixture.with_name(fixture.name + ".meta.json")
    if not meta.is_file():
        return None
    content_type = json.loads(meta.read_text()).get("headers", {}).get("Content-Type", "")
    message = Message()
    message["content-type"] = content_type
    return message.get_param("charset")


@pytest.mark.parametrize(("site_key", "crawl_day", "url", "expected"), list(cases()))
def test_site_fixture_article(site_key, crawl_day, url, expected):
    site = SITES[site_key]
    fixture = FIXTURE_WEB_DIR / expected["fixture"]
    fetched_at = datetime.combine(date.fromisoformat(crawl_day), time(23, 0), tzinfo=timezone.utc)
    result = extract_article(fixture.read_bytes(), url, rules=site.extract, http_charset=http_charset(fixture),
                             fetched_at=fetched_at + timedelta(hours=1), timezone=site.timezone)
    assert isinstance(result, Article), result
    text = normalise(result.text)
    assert "\ufffd" not in text
    for snippet in expected.get("must_contain", []):
        assert normalise(snippet) in text
    for snippet in expected.get("must_not_contain", []):
        assert normalise(snippet) not in text
    assert result.title == expected["title"]
    published = expected.get("published")
    if published:
        assert result.published_at == datetime.fromisoformat(published)
    if "authors" in expected:
        assert list(result.authors) == expected["authors"]
    if "source" in expected:
        assert result.original_source == expected["source"]
    if "editor" in expected:
        assert result.editor == expected["editor"]
    if "paywalled" in expected:
        assert result.paywalled is expected["paywalled"]
