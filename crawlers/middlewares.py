"""Downloader and spider middlewares: host guard, robots.txt (strict when unreachable), known-page skipping,
conditional GET, retry backoff and the fixture-web route. Each is small; the order they run in is set in ``crawlers.settings``."""

from __future__ import annotations

import logging
import random
from urllib.parse import urlsplit

import psycopg
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.internet.threads import deferToThread

from crawlers.failures import RefusedRequest
from crawlers.known import NOT_MODIFIED_FLAG, KnownPages, StoredCopy, load_known_pages, load_stored_copy
from crawlers.urls import is_allowed_url, is_public_web_url
from ingot.database import connect
from ingot.errors import DatabaseUnavailable

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
    """Feeds and sitemaps are fetched with the validators (ETag, Last-Modified) of their newest stored fetch, and a
    304 is answered with that fetch's stored body, so the spider reads it exactly as it would a 200.

    A 304 says "the body you already have is the current one", not "nothing new for you": the stored copy may be
    from any day's crawl, and a backfill of a past day needs the entries a later crawl already read (and skipped
    as outside its own window). Reading the copy keeps a 304 equal to a 200 whatever order the days are crawled
    in, and still saves the download. Sending no validators when backfilling would fetch in full, and would keep
    a 304 meaning "skip the feed", right only while every earlier reading of the copy covered this day's entries
    and fetched them all.

    The copy is rebuilt as Scrapy's HTTP cache does (the stored response, its headers updated by the 304's) and
    flagged ``NOT_MODIFIED_FLAG``, so the raw page records the fetch as a 304 holding the body it revalidated.
    A copy deleted since the crawl began (raw page retention) is fetched again without validators; a 304 to a
    request without validators goes on to the spider's error path, recorded as a lost page."""

    # fields of the stored response a 304 does not update: they describe the (empty) 304's own body
    BODY_FIELDS = frozenset({b"Content-Length", b"Content-Encoding", b"Transfer-Encoding", b"Content-Range"})

    def __init__(self, crawler):
        self.crawler = crawler
        self.database_url = crawler.settings.get("INGOT_DATABASE_URL")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        if request.meta.get("ingot_kind") not in ("feed", "sitemap") or request.meta.get("ingot_unconditional"):
            return None
        validators = known_pages(self.crawler).validators.get(request.url)
        if validators is not None:
            for name, value in validators.headers().items():
                request.headers.setdefault(name, value)
            request.meta["ingot_revalidates"] = validators.raw_page_id
        return None

    async def process_response(self, request, response):
        raw_page_id = request.meta.get("ingot_revalidates")
        if response.status != 304 or raw_page_id is None:
            return response
        kind = request.meta.get("ingot_kind")
        copy = await maybe_deferred_to_future(deferToThread(self._stored_copy, raw_page_id))
        if copy is None:
            self.crawler.stats.inc_value(f"ingot/not_modified_refetched/{kind}")
            logger.info("304 for %s, whose stored copy cannot be read: fetching it in full", request.url)
            return unconditional(request)
        self.crawler.stats.inc_value(f"ingot/not_modified/{kind}")
        headers = Headers(copy.headers)
        for name, values in response.headers.items():
            if name not in self.BODY_FIELDS:
                headers.setlist(name, values)
        cls = responsetypes.from_args(headers=headers, url=response.url, body=copy.body)
        extra = {"encoding": None} if issubclass(cls, TextResponse) else {}  # read from the copy, not the 304
        return response.replace(cls=cls, status=200, headers=headers, body=copy.body,
                                flags=[*response.flags, NOT_MODIFIED_FLAG], **extra)

    def _stored_copy(self, raw_page_id: int) -> StoredCopy | None:
        """The stored copy, or None when it is gone or cannot be read now (the database is away): fetched anew."""
        try:
            with connect(self.database_url) as conn:
                return load_stored_copy(conn, raw_page_id)
        except (psycopg.OperationalError, DatabaseUnavailable) as error:
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            logger.warning("stored copy %s (raw_page id) unreadable: %s", raw_page_id, first_line[:200])
            return None


def unconditional(request):
    """The request again, without validators (and not filtered as a duplicate of itself)."""
    again = request.replace(dont_filter=True)
    for name in ("If-None-Match", "If-Modified-Since"):
        again.headers.pop(name, None)
    again.meta["ingot_unconditional"] = True
    again.meta.pop("ingot_revalidates", None)
    return again


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
