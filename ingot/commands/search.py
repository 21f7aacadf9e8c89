"""``ingot search``: ranked search over the published articles, one result per line."""

from __future__ import annotations

import datetime

from ingot.database import connect, resolve_database_url
from ingot.search import fetch_search_results, format_result


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "search",
        help="search articles in every language",
        description="Search the articles in any language we collect (Chinese in either script, French, English, "
        "Thai) and print one result per line: day, site, title, URL, most relevant first. All words must match. "
        "The same search is the SQL function search_articles(query, since, lang, max_results).",
    )
    parser.add_argument("query", help='words to look for, e.g. "电解铝 碳排放" or "recyclage aluminium"')
    parser.add_argument("--since", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="only articles of this news day or later")
    parser.add_argument("--lang", metavar="L", help="only this language (zh matches zh-Hans and zh-Hant)")
    parser.add_argument("--limit", type=int, default=50, help="at most this many results (default 50)")
    parser.set_defaults(handler=run_search)


def run_search(args, settings) -> int:
    with connect(resolve_database_url(settings)) as conn:
        results = fetch_search_results(conn, args.query, since=args.since, lang=args.lang, max_results=args.limit)
    for result in results:
        print(format_result(result))
    return 0
