"""Downloader and spider middlewares: host guard, robots.txt (strict when unreachable), known-page skipping,
conditional GET, retry backoff and the fixture-web route. Each is small; the order they run in is set in ``crawlers.settings``."""

from __future__ import annotations

import logging
import random
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from crawlers.failures import RefusedRequest
from crawlers.known import KnownPages, load_known_pages
from crawlers.urls import is_allowed_url, is_public_web_url
from ingot.database import connect

logger = logging.getLogger(__name__)


def known_pages(crawler) -> KnownPages:
    """The site's known pages, read from the database once per crawl and shared by the middlewares."""
    cached = getattr(crawler, "_ingot_known_pages", None)
    if cached is None:
        spider = crawler.spider
        url = crawler.settings.get("INGOT_DATABASE_URL")
        if not url:
            raise NotConfigured("INGOT_DATABASE_URL is not set: the crawl cannot know what is stored")
        with connect(url) as conn:
            cached = load_known_pages(conn, spider.site_key, spider.day, spider.rules.revisit_days,
                                      spider.site.timezone)
        crawler._ingot_known_pages = cached
        crawler.stats.set_value("ingot/known_urls", len(cached.canonical_urls))
    return cached


class HostGuardMiddleware:
    """Never fetch outside the site's allowed hosts, nor non-http(s) or private/loopback addresses. Runs first,
    on the real URL: when routing to the fixture web, the link's own host is judged, not the loopback route."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        spider = self.crawler.spider
        if not is_public_web_url(request.url):
            reason = "refused: not a public http(s) address"
        elif not is_allowed_url(request.url, spider.site.allowed_hosts):
            reason = "refused: outside the allowed hosts"
        else:
            return None
        self.crawler.stats.inc_value("ingot/refused_host")
        logger.info("%s (%s)", reason, request.url)
        raise RefusedRequest(reason)


class _DisallowAll:
    """The robots parser of a host whose robots.txt could not be fetched."""

    def allowed(self, url, user_agent) -> bool:
        return False


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, except that a robots.txt that cannot be had (timeout, connection refused or
    reset, or a server error or 429 after the retries) means "disallow everything" for this crawl, as RFC 9309
    (2.3.1.3, 2.3.1.4) asks, instead of Scrapy's "allow everything". The run records it (``robots_unreachable``)
    and ends failed, so the task's retries try again later. Any other answer is parsed as Scrapy does (a 404 or
    other 4xx: no rules, everything allowed)."""

    async def _parse_robots(self, response, netloc, request) -> None:
        if response.status >= 500 or response.status == 429:
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            self._disallow_all(netloc, f"HTTP {response.status}")
            return
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):
            return super()._robots_error(exc, netloc)
        self._disallow_all(netloc, type(exc).__name__)

    def _disallow_all(self, netloc: str, reason: str) -> None:
        self._stats.inc_value("ingot/robots_unreachable")
        self._stats.set_value(f"ingot/robots_unreachable/{netloc}", reason)
        waiting = self._parsers[netloc]
        self._parsers[netloc] = _DisallowAll()
        waiting.callback(self._parsers[netloc])


class ConditionalGetMiddleware:
    """Feeds and sitemaps are fetched with the validators (ETag, Last-Modified) of their last stored fetch."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        if request.meta.get("ingot_kind") in ("feed", "sitemap"):
            for name, value in known_pages(self.crawler).conditional_headers(request.url).items():
                request.headers.setdefault(name, value)
        return None


class KnownPagesSpiderMiddleware(BaseSpiderMiddleware):
    """Drops requests for articles already stored (canonical form) before they are scheduled, and stops a
    listing's paging at the first page that holds an already-known article."""

    def get_processed_request(self, request, response):
        if request.meta.get("ingot_kind") == "article":
            if known_pages(self.crawler).is_known(request.meta.get("ingot_url", request.url)):
                self.crawler.stats.inc_value("ingot/known_skipped")
                if response is not None:
                    response.meta["ingot_saw_known"] = True
                return None
        if request.meta.get("ingot_next_page") and response is not None and response.meta.get("ingot_saw_known"):
            self.crawler.stats.inc_value("ingot/paging_stopped")
            return None
        return request


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry on 429/5xx and network errors, waiting ``RETRY_BACKOFF_BASE * 2**n`` seconds (with jitter,
    or the server's Retry-After, capped at ``RETRY_BACKOFF_MAX``) before each new attempt."""

    def __init__(self, crawler):
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.base = crawler.settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.cap = crawler.settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_response(self, request, response):
        if response.status in self.retry_http_codes and not request.meta.get("dont_retry"):
            await self._wait(request, response.headers.get(b"Retry-After"))
        return super().process_response(request, response)

    async def process_exception(self, request, exception):
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry"):
            await self._wait(request, None)
        return super().process_exception(request, exception)

    async def _wait(self, request, retry_after: bytes | None) -> None:
        if request.meta.get("retry_times", 0) >= request.meta.get("max_retry_times", self.max_retry_times):
            return  # no further attempt: nothing to wait for
        delay = self.base * 2 ** request.meta.get("retry_times", 0) * random.uniform(0.8, 1.2)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after.strip()))
        delay = min(delay, self.cap)
        if delay > 0:
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))


class FixtureWebMiddleware:
    """Routes every request to the loopback fixture web (``INGOT_FIXTURE_WEB``), keeping the real URL in the
    Host header, and gives the response its real URL back. Placed last, so everything before it (robots, host
    guard, known pages, retries, stats) sees the real URL."""

    def __init__(self, crawler, base: str):
        self.crawler = crawler
        self.base = base.rstrip("/")

    @classmethod
    def from_crawler(cls, crawler):
        base = crawler.settings.get("INGOT_FIXTURE_WEB")
        if not base:
            raise NotConfigured
        parts = urlsplit(base)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise NotConfigured(f"INGOT_FIXTURE_WEB must be a loopback address, not {base}")
        return cls(crawler, base)

    async def process_request(self, request):
        if request.meta.get("ingot_routed_from"):
            return None
        real = urlsplit(request.url)
        target = real.path or "/"
        if real.query:
            target += "?" + real.query
        routed = request.replace(url=self.base + target)
        routed.headers["Host"] = real.netloc
        routed.meta["ingot_routed_from"] = request.url
        handlers = self.crawler.engine.downloader.handlers
        return await handlers.download_request_async(routed)

    def process_response(self, request, response):
        if response.url.startswith(self.base):
            real = urlsplit(request.url)
            return response.replace(url=f"{real.scheme}://{real.netloc}{response.url[len(self.base):]}")
        return response
