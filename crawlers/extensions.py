"""Crawl-delay: Scrapy obeys robots.txt Allow/Disallow but not its Crawl-delay; this raises the download
slot's delay of a host to the delay its robots.txt asks of our user agent."""

from __future__ import annotations

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
