"""``ingot crawl``: crawl one site for one news day (a subprocess, as Airflow does) and print its stats."""

from __future__ import annotations

import json
from datetime import date

from ingot.crawl_job import crawl_site


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl one site for a news day",
        description="Fetch the new pages of one site into the raw page store and print the run's stats. "
        "INGOT_FIXTURE_WEB=http://127.0.0.1:PORT routes every request to a local fixture web.",
    )
    parser.add_argument("--site", required=True, metavar="KEY", help="site key, as listed by `ingot sites`")
    parser.add_argument("--day", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="news day the run covers (default: today)")
    parser.set_defaults(handler=run_crawl)


def run_crawl(args, settings) -> int:
    day = args.day or date.today()
    outcome = crawl_site(settings, args.site, day, progress=lambda line: print(line, flush=True))
    print(f"crawl run {outcome.crawl_run_id}: {outcome.site_key} {outcome.day} {outcome.status}")
    print(json.dumps(outcome.stats, ensure_ascii=False, indent=2, sort_keys=True))
    if outcome.error:
        print(f"error: {outcome.error}")
    return 0 if outcome.status == "succeeded" else 1
