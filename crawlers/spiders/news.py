"""The one spider: ``scrapy crawl news -a site=KEY -a day=YYYY-MM-DD``.

It discovers article URLs by every method the site's rule file names (feeds, sitemaps, listing pages, POST/JSON
endpoints through a hook) and hands every response to the pipeline as a ``RawPage``. No database access and no
text extraction here: known URLs are dropped by ``crawlers.middlewares.KnownPagesSpiderMiddleware``, routing to
the fixture web happens in a downloader middleware.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Request, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers.autodiscovery import candidate_feed_urls, looks_like_feed, page_feed_urls, robots_sitemaps, robots_url
from crawlers.dates import is_within_days
from crawlers.discovery import SITEMAP_MAX_BYTES, parse_feed, parse_sitemap
from crawlers.documents import looks_like_html
from crawlers.failures import failure_reason, is_decision
from crawlers.hooks import get_hook
from crawlers.items import FetchFailure, RawPage
from crawlers.known import NOT_MODIFIED_FLAG
from crawlers.pages import declared_charset, list_links, next_page_url, rel_canonical
from crawlers.urls import choose_canonical, is_allowed_url, is_public_web_url, matches_any
from ingot.sites import load_site

# Levels of sitemap indexes followed below a listed sitemap: real sites nest one or two; a chain of indexes each
# naming a new one (generated, or a trap) stops here.
SITEMAP_MAX_DEPTH = 5


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, site: str | None = None, day: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not site:
            raise ValueError("pass the site key: scrapy crawl news -a site=KEY")
        self.site_key = site
        self.day = date.fromisoformat(day) if day else datetime.now(UTC).date()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.site = load_site(Path(crawler.settings["INGOT_SITES_DIR"]) / f"{spider.site_key}.yaml")
        spider.rules = spider.site.crawl
        spider.allowed_domains = list(spider.site.allowed_hosts)
        # the site's own politeness; a command-line setting (the fixture web's 0) still wins
        crawler.settings.set("DOWNLOAD_DELAY", spider.rules.download_delay, priority="spider")
        crawler.settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", spider.rules.concurrency, priority="spider")
        return spider

    async def start(self):
        if self.rules.feeds_auto:  # unfiltered: the home page may also be one of the rule's lists
            yield Request(self.site.base_url, callback=self.parse_home_feeds, errback=self.failed, dont_filter=True,
                          meta={"ingot_kind": "other", "ingot_url": self.site.base_url})
        if self.rules.sitemaps_from_robots:
            yield self._request(robots_url(self.site.base_url), "other", self.parse_robots_sitemaps)
        # a feed or sitemap cut short still holds links: its body is kept (see _retry_cut) instead of failing
        for url in self.rules.feeds:
            yield self._feed_request(url)
        for url in self.rules.sitemaps:
            yield self._sitemap_request(url, depth=0)
        for index, rule in enumerate(self.rules.lists):
            yield self._request(rule.url, "list", self.parse_list, list_rule=index, list_page=1)
        for index, rule in enumerate(self.rules.json_lists):
            for spec in get_hook(rule.hook).list_requests(rule.url, rule.form, rule.pages):
                yield Request(spec.url, method=spec.method, body=spec.body, headers=spec.headers,
                              callback=self.parse_json_list, errback=self.failed, dont_filter=True,
                              meta={"ingot_kind": "list", "ingot_url": spec.url, "json_list": index})

    # -- callbacks ---------------------------------------------------------------------------------------------

    def parse_feed(self, response):
        retry = self._retry_cut(response)
        if retry is not None:
            yield retry
            return
        yield self.raw_page(response)
        links, problem = parse_feed(response.body, response.url, self.site.timezone,
                                    headers=self._document_headers(response), cut=self._cut(response))
        if problem:  # the entries after a cut or a break are lost: the run says so
            yield FetchFailure("feed", response.meta.get("ingot_url", response.url), problem, response.status)
        yield from self._follow(links)

    def parse_sitemap(self, response):
        retry = self._retry_cut(response)
        if retry is not None:
            yield retry
            return
        yield self.raw_page(response)
        url = response.meta.get("ingot_url", response.url)
        sitemap = parse_sitemap(response.body, self.site.timezone, base_url=response.url,
                                headers=self._document_headers(response), cut=self._cut(response))
        if sitemap.problem:
            yield FetchFailure("sitemap", url, sitemap.problem, response.status)
        if sitemap.is_feed:
            self.crawler.stats.inc_value("ingot/sitemap_read_as_feed")
        if sitemap.is_index:
            yield from self._follow_index(sitemap, url, response.meta.get("sitemap_depth", 0) + 1, response.status)
            return
        window = self.rules.news_sitemap_days if sitemap.is_news else None
        links = [link for link in sitemap.links if is_within_days(link.published, self.day, window,
                                                                  self.site.timezone)]
        yield from self._follow(links)

    def _follow_index(self, sitemap, url: str, depth: int, status: int):
        """The child sitemaps of an index, each one level deeper; an index chain deeper than
        ``SITEMAP_MAX_DEPTH`` (a loop of generated indexes, a trap) stops there, recorded once under the index."""
        children = [link.url for link in sitemap.links if self._allowed(link.url) and (
            not self.rules.sitemap_follow or matches_any(link.url, self.rules.sitemap_follow))]
        if depth > SITEMAP_MAX_DEPTH:
            if children:
                yield FetchFailure("sitemap", url, f"sitemap index nested deeper than {SITEMAP_MAX_DEPTH} levels: "
                                                   f"its {len(children)} sitemap(s) not followed", status)
            return
        for child in children:
            yield self._sitemap_request(child, depth)

    def _feed_request(self, url: str) -> Request:
        return self._request(url, "feed", self.parse_feed, download_fail_on_dataloss=False)

    def _sitemap_request(self, url: str, depth: int) -> Request:
        """Up to the protocol's 50 MB (more than the pages' DOWNLOAD_MAXSIZE), ``depth`` levels of indexes down."""
        return self._request(url, "sitemap", self.parse_sitemap, sitemap_depth=depth,
                             download_fail_on_dataloss=False, download_maxsize=SITEMAP_MAX_BYTES)

    def parse_list(self, response):
        rule = self.rules.lists[response.meta["list_rule"]]
        yield self.raw_page(response)
        html = response.text if isinstance(response, TextResponse) else ""
        links = list_links(html, response.url, link_selector=rule.link_selector, item_selector=rule.item_selector,
                           date_selector=rule.date_selector, day=self.day, timezone=self.site.timezone,
                           fetched_at=datetime.now(UTC))
        if rule.link_pattern:
            links = [link for link in links if rule.link_pattern.search(link.url)]
        yield from self._follow(links)
        page = response.meta["list_page"]
        following = next_page_url(html, response.url, rule.next_selector)
        if following and page < rule.max_pages and self._allowed(following):
            # marked, so that the known-pages middleware can stop paging at the first already-known article
            yield self._request(following, "list", self.parse_list, list_rule=response.meta["list_rule"],
                                list_page=page + 1, ingot_next_page=True)

    def parse_json_list(self, response):
        rule = self.rules.json_lists[response.meta["json_list"]]
        yield self.raw_page(response)
        links = get_hook(rule.hook).list_links(response.body, response.url, self.day, self.site.timezone)
        if rule.link_pattern:
            links = [link for link in links if rule.link_pattern.search(link.url)]
        yield from self._follow(links)

    # -- discovery by itself (`feeds: [auto]`, `sitemaps: [robots]`) --------------------------------------------

    def parse_robots_sitemaps(self, response):
        yield self.raw_page(response)
        named = robots_sitemaps(response.body, response.url)
        followed = [url for url in named if self._allowed(url)]
        if not followed:  # the rule counts on robots.txt for its sitemaps: finding none loses the source
            where = f"{len(named)} on other hosts" if named else "none"
            yield FetchFailure("sitemap", response.meta["ingot_url"], f"robots.txt names no sitemap here ({where})",
                               response.status)
        for url in followed:
            yield self._sitemap_request(url, depth=0)

    def parse_home_feeds(self, response):
        yield self.raw_page(response)
        html = response.text if isinstance(response, TextResponse) else ""
        named = [url for url in page_feed_urls(html, response.url) if self._allowed(url)]
        for url in named:
            yield self._feed_request(url)
        if named:
            return
        home = response.url if self._allowed(response.url) else self.site.base_url
        candidates = candidate_feed_urls(home)
        self._feed_candidates = {"pending": len(candidates), "found": 0, "home": home}
        for url in candidates:
            # the same URL may be a named feed too: each guess must answer, so that the last one can judge
            yield Request(url, callback=self.parse_candidate_feed, errback=self.candidate_feed_failed,
                          dont_filter=True, meta={"ingot_kind": "feed", "ingot_url": url,
                                                  "download_fail_on_dataloss": False})

    def parse_candidate_feed(self, response):
        if NOT_MODIFIED_FLAG in response.flags or looks_like_feed(response.body):
            self._feed_candidates["found"] += 1
            yield from self.parse_feed(response)
        else:
            self.crawler.stats.inc_value("ingot/feed_candidates_not_feed")
        yield from self._feed_candidate_done()

    def candidate_feed_failed(self, failure):
        # a guessed address that is not there (404, 410, 403...) is an answer, not a lost page
        if failure.check(HttpError) and 400 <= failure.value.response.status < 500:
            self.crawler.stats.inc_value("ingot/feed_candidates_missing")
        else:
            yield from self.failed(failure)
        yield from self._feed_candidate_done()

    def _feed_candidate_done(self):
        state = self._feed_candidates
        state["pending"] -= 1
        if state["pending"] == 0 and not state["found"]:
            yield FetchFailure("feed", state["home"], "no feed named by the home page nor at "
                               + ", ".join(urlsplit(url).path for url in candidate_feed_urls(state["home"])))

    def parse_article(self, response):
        cut = self._article_cut(response)
        if cut:  # fetched again as a failed download would be; still cut after the last retry, it is lost
            retry = get_retry_request(response.request, spider=self, reason="response cut short")
            if retry is not None:
                yield retry
            else:
                yield FetchFailure("article", response.meta.get("ingot_url", response.url),
                                   f"response cut short ({cut})", response.status)
            return
        yield self.raw_page(response)

    def failed(self, failure):
        request = failure.request
        # robots.txt Disallow is a decision, not an error; every other way a request ends without a page (HTTP
        # errors, timeouts, too-large or cut-short bodies, refused redirects) is recorded with its reason.
        if is_decision(failure.value):
            self.crawler.stats.inc_value("ingot/ignored_requests")
            return
        status = failure.value.response.status if failure.check(HttpError) else None
        yield FetchFailure(request.meta.get("ingot_kind", "other"), request.meta.get("ingot_url", request.url),
                           failure_reason(failure.value), status)

    # -- helpers -----------------------------------------------------------------------------------------------

    def raw_page(self, response) -> RawPage:
        page_url = response.meta.get("ingot_url", response.request.url)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        declared = declared_charset(content_type, response.body)
        is_html = b"html" in response.headers.get(b"Content-Type", b"text/html").lower()
        canonical = rel_canonical(response.body, declared) \
            if is_html and response.meta["ingot_kind"] == "article" else None
        return RawPage(
            kind=response.meta["ingot_kind"],
            url=page_url,
            final_url=response.url,
            canonical_url=choose_canonical(page_url, canonical, self.site.allowed_hosts),
            http_status=304 if NOT_MODIFIED_FLAG in response.flags else response.status,
            headers={name.decode("latin-1").lower(): ", ".join(v.decode("latin-1") for v in values)
                     for name, values in response.headers.items()},
            declared_encoding=declared,
            detected_encoding=response.encoding if isinstance(response, TextResponse) else None,
            body=response.body,
            fetched_at=datetime.now(UTC),
            listed_at=response.meta.get("ingot_listed_at"),
            listed_raw=response.meta.get("ingot_listed_raw"),
        )

    def _follow(self, links):
        hook = get_hook(self.rules.hook) if self.rules.hook else None
        for link in links:
            if not self._is_article(link.url):
                continue
            if link.date_raw and link.published is None:
                # kept (a parsing gap never loses an article), but counted: an age window could not judge it
                self._count_unreadable_date(link.date_raw)
            if not is_within_days(link.published, self.day, self.rules.max_age_days, self.site.timezone):
                self.crawler.stats.inc_value("ingot/links_too_old")
                continue
            listed = {"ingot_listed_at": link.published, "ingot_listed_raw": link.date_raw}
            if hook and hook.article_request:
                spec = hook.article_request(link.url)
                yield Request(spec.url, method=spec.method, body=spec.body, headers=spec.headers,
                              callback=self.parse_article, errback=self.failed,
                              meta={"ingot_kind": "article", "ingot_url": spec.page_url or spec.url, **listed})
            else:
                yield self._request(link.url, "article", self.parse_article, **listed)

    def _count_unreadable_date(self, raw: str) -> None:
        stats = self.crawler.stats
        stats.inc_value("ingot/links_date_unreadable")
        if stats.get_value("ingot/links_date_unreadable_sample") is None:
            stats.set_value("ingot/links_date_unreadable_sample", raw[:100])

    def _is_article(self, url: str) -> bool:
        if not self._allowed(url) or matches_any(url, self.rules.exclude_patterns):
            return False
        return not self.rules.article_patterns or matches_any(url, self.rules.article_patterns)

    def _allowed(self, url: str) -> bool:
        return is_public_web_url(url) and is_allowed_url(url, self.site.allowed_hosts)

    def _request(self, url: str, kind: str, callback, **meta) -> Request:
        return Request(url, callback=callback, errback=self.failed,
                       meta={"ingot_kind": kind, "ingot_url": url, **meta})

    def _cut(self, response) -> str | None:
        """A body cut short of its Content-Length (kept, for feeds and sitemaps, by ``download_fail_on_dataloss``
        off). Scrapy's other flag, ``partial``, only says the server closed the connection without announcing a
        length: whether that body is whole is told by the document itself (its root element closed or not)."""
        if "dataloss" in response.flags:
            return "response cut short of its Content-Length"
        return None

    @staticmethod
    def _article_cut(response) -> str | None:
        """Why an article's body is not whole, if it is not. Scrapy flags ``dataloss`` for a body shorter than
        its Content-Length, and ``partial`` for any body whose end was the connection's close, whole or reset
        midway: then an HTML page is whole only if its ``</body>`` or ``</html>`` arrived."""
        if NOT_MODIFIED_FLAG in response.flags:
            return None
        if "dataloss" in response.flags:
            return "shorter than its Content-Length"
        if "partial" not in response.flags:
            return None
        is_html = b"html" in response.headers.get(b"Content-Type", b"").lower() or looks_like_html(response.body)
        lower = response.body.lower()
        if is_html and b"</body" not in lower and b"</html" not in lower:
            return "connection closed before the end of the page"
        return None

    def _retry_cut(self, response):
        """A cut feed or sitemap is fetched again as a failed download would be; after the last retry, what it
        holds is read and the cut recorded."""
        if self._cut(response) is None:
            return None
        return get_retry_request(response.request, spider=self, reason="ResponseDataLossError")

    @staticmethod
    def _document_headers(response) -> dict[str, str]:
        return {name: response.headers.get(name, b"").decode("latin-1")
                for name in ("Content-Type", "Content-Location") if response.headers.get(name)}
