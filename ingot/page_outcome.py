"""From one stored page to a ``PageOutcome``: the pure bridge between raw_page rows and the extractor."""

from __future__ import annotations

import logging
import zlib
from email.message import Message

from extract import EXTRACTOR_VERSION, Article, extract_article
from extract.dedupe import fingerprint_to_int64, simhash
from ingot.article_store import PageOutcome
from ingot.sites import Site

log = logging.getLogger(__name__)


def http_charset(headers: dict | None) -> str | None:
    """The charset parameter of a stored Content-Type header, whatever the header's case or list form."""
    for name, value in (headers or {}).items():
        if name.lower() == "content-type":
            if isinstance(value, list):
                value = value[0] if value else ""
            message = Message()
            message["content-type"] = str(value)
            return message.get_param("charset")
    return None


def outcome_for_page(page: dict, site: Site | None) -> PageOutcome:
    """Extract one stored page (a raw_page row, its body still compressed in ``body_zlib``); never raises."""
    rule_version = site.rule_version if site else 0
    base = dict(raw_page_id=page["id"], site_key=page["site_key"], rule_version=rule_version,
                extractor_version=EXTRACTOR_VERSION)
    status = page["http_status"]
    if not 200 <= status < 300:
        return PageOutcome(**base, reason="http_error", detail=f"HTTP {status}")
    try:
        body = zlib.decompress(page["body_zlib"])
    except zlib.error as error:  # a damaged row: recorded, the page stays stored, the run goes on
        return PageOutcome(**base, reason="extractor_error",
                           detail=f"stored body is not zlib data ({error}); re-crawl the page")
    try:
        result = extract_article(
            body,
            page["final_url"] or page["url"],
            rules=site.extract if site else None,
            http_charset=http_charset(page["headers"]),
            fetched_at=page["fetched_at"],
            timezone=site.timezone if site else None,
        )
    except Exception as error:  # one bad page must not lose the rest of the run: record it and go on
        log.exception("extractor failed on raw page %s (%s)", page["id"], page["url"])
        return PageOutcome(**base, reason="extractor_error", detail=f"{type(error).__name__}: {error}"[:500])
    if not isinstance(result, Article):
        return PageOutcome(**base, reason=result.reason, detail=result.detail)
    detail = f"{result.replaced_bytes} undecodable byte sequences replaced" if result.replaced_bytes else None
    return PageOutcome(**base, article=article_row(result, page, rule_version), detail=detail)


def publication(article: Article, page: dict) -> dict:
    """The article's own date, else the one its listing, feed or sitemap gave beside the link (rule 'listing'),
    else none: an undated article is never given the day it was fetched."""
    if article.published_at is None and page.get("listed_at") is not None:
        return {"published_at": page["listed_at"], "published_raw": page.get("listed_raw"),
                "published_rule": "listing"}
    return {"published_at": article.published_at, "published_raw": article.published_raw,
            "published_rule": article.published_rule}


def article_row(article: Article, page: dict, rule_version: int) -> dict:
    return {
        "canonical_url": page["canonical_url"],
        "url": page["final_url"] or page["url"],
        "site_key": page["site_key"],
        "raw_page_id": page["id"],
        "title": article.title or "",
        "text": article.text or "",
        "text_sha256": article.text_sha256,
        "fingerprint": fingerprint_to_int64(simhash(article.text)) if article.text else None,
        "authors": list(article.authors),
        "editor": article.editor,
        "reviewers": dict(article.reviewers or {}),
        "original_source": article.original_source,
        **publication(article, page),
        "language": article.language,
        "paywalled": article.paywalled,
        "image_url": article.image_url,
        "categories": list(article.categories),
        "keywords": list(article.tags),
        "rule_version": rule_version,
        "extractor_version": EXTRACTOR_VERSION,
    }

