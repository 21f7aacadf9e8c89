"""``ingot export``: the published articles view as JSON lines, CSV or Parquet, streamed."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from ingot.database import resolve_database_url
from ingot.export import FORMATS, FORMULA_PREFIXES_TEXT, export_articles
from ingot.output_file import atomic_output, check_output_path, write_failure


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export the published articles view",
        description="Export the rows of the published `articles` view, oldest id first, to stdout or --output, "
        "in constant memory whatever the size. In CSV, a text cell starting with "
        f"{FORMULA_PREFIXES_TEXT} gets a leading ' so that a spreadsheet shows it as text instead of running "
        "it as a formula; JSON lines and Parquet keep every value as stored.",
        epilog="Exit status: 0 when complete; 2 for an output path that cannot be used; 1 when writing failed "
        "(disk full); 141 when the reader of stdout left early (`| head`), as for a process ended by SIGPIPE.",
    )
    parser.add_argument("--format", required=True, choices=FORMATS, help="output format")
    parser.add_argument("--since", type=datetime.date.fromisoformat, metavar="DAY",
                        help="only articles of this news day (YYYY-MM-DD) or later")
    parser.add_argument("--site", metavar="KEY", help="only this site's articles")
    parser.add_argument("--lang", metavar="L", help="only this language (zh matches zh-Hans and zh-Hant)")
    parser.add_argument("--output", type=Path, metavar="FILE",
                        help="write here instead of stdout, atomically: FILE appears only when complete; "
                        "only a new or regular file is replaced (a link, a directory or a device is refused)")
    parser.set_defaults(handler=run_export)


def run_export(args, settings) -> int:
    options = {"fmt": args.format, "since": args.since, "site": args.site, "lang": args.lang}
    if args.output is None:
        url = resolve_database_url(settings)
        try:
            export_articles(url, sys.stdout.buffer, **options)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise  # the reader left: the CLI exits quietly
        except OSError as error:
            raise write_failure(error, "standard output") from None
        return 0
    check_output_path(args.output)  # before connecting: a bad path fails at once
    url = resolve_database_url(settings)
    with atomic_output(args.output) as out:
        count = export_articles(url, out, **options)
    print(f"exported {count} articles to {args.output}", file=sys.stderr)
    return 0
