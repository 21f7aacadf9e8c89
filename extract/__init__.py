"""ingot's extraction package: a pure function from a stored page to an Article or a Rejected.

    extract_article(body, url, *, rules=None, http_charset=None, fetched_at, timezone=None) -> Article | Rejected

See `extract.article` for the paywall policy, `extract.rules` for the site `extract:` keys, `extract.dates`
(one date string) and `extract.published` (a page's date) for the date rules, and `extract.dedupe` for hashing
and near-duplicate fingerprints.
"""

from .article import (EMPTY, EXTRACTOR_VERSION, MIRROR, NOT_ARTICLE, PAYWALLED_TEASER, REJECT_REASONS, SOFT_404,
                      UNDECODABLE, WRONG_HOST, Article, Rejected, extract_article)
from .rules import ExtractRules, parse_extract_rules

__all__ = ["Article", "Rejected", "ExtractRules", "extract_article", "parse_extract_rules", "EXTRACTOR_VERSION",
           "REJECT_REASONS", "NOT_ARTICLE", "PAYWALLED_TEASER", "EMPTY", "WRONG_HOST", "MIRROR", "UNDECODABLE",
           "SOFT_404"]
