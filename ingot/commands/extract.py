"""``ingot extract`` (stored pages → articles) and ``ingot extract-files`` (saved files → JSON lines)."""

from __future__ import annotations

import json
import os
import sys
from datetime import date

import psycopg

from ingot.database import describe_url, redact, resolve_database_url
from ingot.errors import DatabaseUnavailable, UnknownSite
from ingot.sites import load_sites


def register(subparsers) -> None:
    stored = subparsers.add_parser(
        "extract",
        help="extract stored pages into articles",
        description="Extract raw pages stored by the crawler into clean articles. By default only pages not yet "
        "extracted, or extracted by an older extractor or rule version; --reextract redoes them after a rule fix, "
        "without crawling.",
    )
    stored.add_argument("--site", help="only this site key")
    stored.add_argument("--day", type=date.fromisoformat, help="only pages of this news day (YYYY-MM-DD)")
    stored.add_argument("--since", type=date.fromisoformat, help="only pages of news days from this one on")
    stored.add_argument("--reextract", action="store_true", help="redo pages already extracted")
    stored.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    stored.set_defaults(handler=run_extract)

    files = subparsers.add_parser(
        "extract-files",
        help="extract saved pages listed as JSON lines on stdin",
        description='Read JSON lines {"path", "url", "site" (optional), "encoding" (optional HTTP charset)} on '
        'stdin and write one JSON line per input, in the same order: the article fields with "ok": true, or '
        '"ok": false with a "reason". Uses all cores.',
    )
    files.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    files.set_defaults(handler=run_extract_files)


def run_extract(args, settings) -> int:
    from ingot.extraction_job import extract_pages

    sites = load_sites(settings.sites_dir)
    if args.site and args.site not in sites:
        raise UnknownSite(args.site, settings.sites_dir)
    database_url = resolve_database_url(settings)
    try:
        summary = extract_pages(database_url, sites, site_key=args.site, day=args.day, since=args.since,
                                reextract=args.reextract, workers=args.workers)
    except psycopg.OperationalError as error:  # the server went away mid-run: committed batches are kept
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnavailable(f"lost the database at {describe_url(database_url)} during extraction "
                                  f"({redact(first, database_url)}); batches already saved are kept: rerun "
                                  "`ingot extract` when it is back") from None
    print(summary.line())
    return 0


def run_extract_files(args, settings) -> int:
    from ingot.extract_files import answer_lines

    sites = load_sites(settings.sites_dir) if settings.sites_dir.is_dir() else {}
    workers = args.workers or os.cpu_count() or 1
    for answer in answer_lines(sys.stdin, sites, workers):
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0
