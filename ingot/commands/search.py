"""``ingot search``: the analysts' search from the shell, one story (or copy) per line, a snippet under it."""

from __future__ import annotations

import datetime
import sys

from ingot.database import connect, resolve_database_url
from ingot.search import ORDERS, SearchRequest, fetch_search_results, format_result, format_snippet


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "search",
        help="search articles in every language",
        description="Search the articles in any language we collect (Chinese in either script, French, English, "
        "Thai; accents optional) and print one story per line: day, site, title, canonical URL, the sites that "
        "carried it, then a snippet. All words must match; \"quoted phrases\", OR and -word work as in a web "
        "search. The same search is the SQL function news.search_articles(query, ...).",
    )
    parser.add_argument("query", help='words to look for, e.g. "电解铝 碳排放", "recyclage aluminium" or '
                        "'\"EU CBAM\" -steel'")
    parser.add_argument("--since", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="only articles of this news day or later")
    parser.add_argument("--until", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="only articles of this news day or earlier")
    parser.add_argument("--site", action="append", default=[], metavar="KEY",
                        help="only this site's articles (repeatable)")
    parser.add_argument("--lang", action="append", default=[], metavar="L",
                        help="only this language (repeatable; zh matches zh-Hans and zh-Hant)")
    parser.add_argument("--topic", action="append", default=[], metavar="TAG",
                        help="only articles tagged with this topic (repeatable: all of them)")
    parser.add_argument("--every-copy", action="store_true",
                        help="one line per matching article instead of one per story")
    parser.add_argument("--order", choices=ORDERS, default="relevance", help="relevance (default) or date")
    parser.add_argument("--limit", type=int, default=20, help="at most this many results (default 20)")
    parser.add_argument("--offset", type=int, default=0, help="skip this many results first (paging)")
    parser.add_argument("--demo", action="store_true", help="search the database `ingot demo` filled")
    parser.set_defaults(handler=run_search)


def run_search(args, settings) -> int:
    request = SearchRequest(args.query, since=args.since, until=args.until, sites=tuple(args.site),
                            languages=tuple(args.lang), topics=tuple(args.topic), every_copy=args.every_copy,
                            order_by=args.order, max_results=args.limit, skip=args.offset)
    if args.demo:
        from ingot.commands.demo import demo_database_url

        url = demo_database_url(settings)
    else:
        url = resolve_database_url(settings)
    with connect(url) as conn:
        page = fetch_search_results(conn, request)
    bold = sys.stdout.isatty()
    for result in page.results:
        print(format_result(result))
        if result.snippet:
            print(format_snippet(result.snippet, bold=bold))
    unit = "copies" if args.every_copy else "stories"
    shown = f"{args.offset + 1}-{args.offset + len(page.results)} of " if page.results else "none of "
    print(f"{shown}{page.total}{'' if page.total_is_exact else '+'} matching {unit}", file=sys.stderr)
    return 0
