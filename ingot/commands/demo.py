"""``ingot demo``: the whole pipeline, offline, against the bundled fixture sites.

A loopback web server (127.0.0.1) serves tests/fixtures/web with every site's real URLs, and the daily DAG runs
once against it exactly as ``ingot run`` does. The articles land in a separate database, ``ingot_demo`` on the
embedded server, so fixture pages never mix with real news.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import date

from psycopg.conninfo import make_conninfo

from ingot.commands.run import add_run_arguments, run_pipeline_once
from ingot.database import ensure_database, start_embedded_server
from ingot.fixture_web import FixtureWeb
from ingot.paths import FIXTURE_WEB_DIR, PROJECT_ROOT
from ingot.settings import Settings

DEMO_DATABASE = "ingot_demo"
FIXTURE_EXPECTATIONS_DIR = PROJECT_ROOT / "tests" / "fixtures" / "expected"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the pipeline against the bundled fixture sites (no internet needed)",
        description="Serve the bundled fixture sites on 127.0.0.1 and run the daily DAG once against them, into "
        f"the '{DEMO_DATABASE}' database of the embedded server; ends with the articles it stored.",
    )
    add_run_arguments(parser)
    parser.set_defaults(handler=run_demo)
    parser.set_defaults(crawl_timeout=3)


def demo_database_url(settings: Settings) -> str:
    """The demo database on the embedded server, created on first use (the server listening on INGOT_LISTEN's
    port when it names one, as for the pipeline's own database)."""
    url = start_embedded_server(settings.embedded_data_dir, listen=settings.listen)
    ensure_database(url, DEMO_DATABASE)
    return make_conninfo(url, dbname=DEMO_DATABASE)


def fixture_news_day() -> date | None:
    """The news day the fixture web is a snapshot of (the crawl day its expectations name), if any."""
    days = Counter()
    for path in FIXTURE_EXPECTATIONS_DIR.glob("*.json"):
        crawl_day = json.loads(path.read_text(encoding="utf-8")).get("crawl_day")
        if crawl_day:
            days[crawl_day] += 1
    return date.fromisoformat(days.most_common(1)[0][0]) if days else None


def run_demo(args, settings: Settings) -> int:
    # The fixture pages are dated: crawling them "today" would find them too old to be news.
    args.day = args.day or fixture_news_day()
    db_url = demo_database_url(settings)
    with FixtureWeb(FIXTURE_WEB_DIR) as web:
        print(f"serving the fixture sites of {FIXTURE_WEB_DIR} on {web.address}")
        demo_settings = dataclasses.replace(settings, database_url=db_url, fixture_web=web.address)
        return run_pipeline_once(demo_settings, db_url, args, psql_command=f'psql "{db_url}"',
                                 extra_env={"INGOT_FIXTURE_WEB": web.address})
