"""``ingot index``: build search documents and topic tags for extracted articles."""

from __future__ import annotations

import datetime
from pathlib import Path

from ingot.database import resolve_database_url
from ingot.errors import IngotError
from ingot.indexing import index_articles


class VocabularyError(IngotError):
    exit_code = 2


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "index",
        help="index articles for search and tag their topics",
        description="Build the search document and topic tags of every article that needs it: not indexed yet, "
        "re-extracted since, or tagged with another version of the vocabulary. The daily run does this after "
        "extraction; run it with --reindex after editing vocabulary/topics.yaml to re-tag everything now.",
    )
    parser.add_argument("--site", metavar="KEY", help="only this site's articles")
    parser.add_argument("--since", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="only articles of this news day or later")
    parser.add_argument("--vocabulary", type=Path, metavar="FILE",
                        help="topic vocabulary file (default vocabulary/topics.yaml)")
    parser.add_argument("--reindex", action="store_true", help="re-index matching articles even if up to date")
    parser.set_defaults(handler=run_index)


def run_index(args, settings) -> int:
    try:
        count = index_articles(resolve_database_url(settings), site_key=args.site, since=args.since,
                               vocabulary_path=args.vocabulary, reindex=args.reindex)
    except (OSError, ValueError) as error:
        raise VocabularyError(f"cannot read the topic vocabulary: {error}") from None
    print(f"indexed {count} articles")
    return 0
