"""Crawl several sites in one Scrapy process (one reactor, one crawler per site): the same spider, settings and
pipeline as ``ingot.crawl_job``, minus one interpreter start-up per site. Test helper, run as a subprocess:

    python -m tests.crawl.run_sites KEY=YYYY-MM-DD [KEY=YYYY-MM-DD ...]

The environment carries INGOT_DATABASE_URL, INGOT_SITES_DIR and INGOT_FIXTURE_WEB, as for ``scrapy crawl``.
"""

from __future__ import annotations

import os
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from ingot.crawl_job import FIXTURE_WEB_OVERRIDES


def main(pairs: list[str]) -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    settings = get_project_settings()
    for name, value in FIXTURE_WEB_OVERRIDES.items():
        settings.set(name, value, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    process = CrawlerProcess(settings)
    for pair in pairs:
        key, day = pair.split("=")
        process.crawl("news", site=key, day=day)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1:])
