"""``ingot export``: the published articles view as JSON lines, CSV or Parquet, streamed."""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

from ingot.database import resolve_database_url
from ingot.export import FORMATS, export_articles


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export the published articles view",
        description="Export the rows of the published `articles` view, oldest id first, to stdout or --output, "
        "in constant memory whatever the size.",
    )
    parser.add_argument("--format", required=True, choices=FORMATS, help="output format")
    parser.add_argument("--since", type=datetime.date.fromisoformat, metavar="DAY",
                        help="only articles of this news day (YYYY-MM-DD) or later")
    parser.add_argument("--site", metavar="KEY", help="only this site's articles")
    parser.add_argument("--lang", metavar="L", help="only this language (zh matches zh-Hans and zh-Hant)")
    parser.add_argument("--output", type=Path, metavar="FILE",
                        help="write here (atomically: FILE appears only when complete) instead of stdout")
    parser.set_defaults(handler=run_export)


def run_export(args, settings) -> int:
    url = resolve_database_url(settings)
    options = {"fmt": args.format, "since": args.since, "site": args.site, "lang": args.lang}
    if args.output is None:
        export_articles(url, sys.stdout.buffer, **options)
        sys.stdout.buffer.flush()
        return 0
    partial = args.output.with_name(args.output.name + ".partial")
    try:
        with open(partial, "wb") as out:
            count = export_articles(url, out, **options)
        os.replace(partial, args.output)
    finally:
        partial.unlink(missing_ok=True)
    print(f"exported {count} articles to {args.output}", file=sys.stderr)
    return 0
