"""Crawler extensions.

- ``CrawlDelay``: Scrapy obeys robots.txt Allow/Disallow but not its Crawl-delay; this raises the download slot's
  delay of a host to the delay its robots.txt asks of our user agent.
- ``LogLevelGate``: Scrapy sets its loggers to DEBUG and leaves LOG_LEVEL to its handler, so every page built
  debug records only to drop them (about 2% of the crawler's CPU); the loggers are set to LOG_LEVEL instead.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached


class CrawlDelay:
    def __init__(self, crawler):
        self.crawler = crawler
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ROBOTSTXT_OBEY") or not crawler.settings.getbool("INGOT_OBEY_CRAWL_DELAY",
                                                                                            True):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.robots_parsed, signal=signals.robots_parsed)
        # connected after AutoThrottle (extensions order), so a throttle adjustment never goes below it
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        return extension

    def robots_parsed(self, robotparser, request):
        protego = getattr(robotparser, "rp", None)
        agent = self.crawler.settings.get("USER_AGENT") or "*"
        delay = protego.crawl_delay(agent) if protego is not None else None
        if delay:
            host = urlparse_cached(request).hostname or ""
            self.delays[host] = float(delay)
            self.crawler.stats.set_value(f"ingot/crawl_delay/{host}", float(delay))
            self._apply(host)

    def response_downloaded(self, response, request, spider=None):
        self._apply(request.meta.get("download_slot") or urlparse_cached(request).hostname or "")

    def _apply(self, key: str) -> None:
        delay = self.delays.get(key)
        slot = self.crawler.engine.downloader.slots.get(key) if delay else None
        if slot is not None and slot.delay < delay:
            slot.delay = delay


class LogLevelGate:
    @classmethod
    def from_crawler(cls, crawler):
        level = crawler.settings.get("LOG_LEVEL")
        for name in (None, "scrapy"):  # the root logger (ours, psycopg, ...) and Scrapy's own
            logging.getLogger(name).setLevel(level)
        return cls()
