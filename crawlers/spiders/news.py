"""The one spider: ``scrapy crawl news -a site=KEY -a day=YYYY-MM-DD``.

It discovers article URLs by every method the site's rule file names (feeds, sitemaps, listing pages, POST/JSON
endpoints through a hook) and hands every response to the pipeline as a ``RawPage``. No database access and no
text extraction here: known URLs are dropped by ``crawlers.middlewares.KnownPagesSpiderMiddleware``, routing to
the fixture web happens in a downloader middleware.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import scrapy
from scrapy.http import Request, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers.dates import is_within_days
from crawlers.discovery import declared_charset, list_links, next_page_url, parse_feed, parse_sitemap, rel_canonical
from crawlers.failures import failure_reason, is_decision
from crawlers.hooks import get_hook
from crawlers.items import FetchFailure, RawPage
from crawlers.urls import choose_canonical, is_allowed_url, is_public_web_url, matches_any
from ingot.sites import load_site


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
        for url in self.rules.feeds:
            yield self._request(url, "feed", self.parse_feed, handle_httpstatus_list=[304])
        for url in self.rules.sitemaps:
            yield self._request(url, "sitemap", self.parse_sitemap, handle_httpstatus_list=[304])
        for index, rule in enumerate(self.rules.lists):
            yield self._request(rule.url, "list", self.parse_list, list_rule=index, list_page=1)
        for index, rule in enumerate(self.rules.json_lists):
            for spec in get_hook(rule.hook).list_requests(rule.url, rule.form, rule.pages):
                yield Request(spec.url, method=spec.method, body=spec.body, headers=spec.headers,
                              callback=self.parse_json_list, errback=self.failed, dont_filter=True,
                              meta={"ingot_kind": "list", "ingot_url": spec.url, "json_list": index})

    # -- callbacks ---------------------------------------------------------------------------------------------

    def parse_feed(self, response):
        if self._not_modified(response):
            return
        yield self.raw_page(response)
        links, problem = parse_feed(response.body, response.url, self.site.timezone)
        if problem:  # the entries after the break are lost: the run says so
            yield FetchFailure("feed", response.meta.get("ingot_url", response.url), problem, response.status)
        yield from self._follow(links)

    def parse_sitemap(self, response):
        if self._not_modified(response):
            return
        yield self.raw_page(response)
        sitemap = parse_sitemap(response.body, self.site.timezone)
        if sitemap.problem:
            yield FetchFailure("sitemap", response.meta.get("ingot_url", response.url), sitemap.problem,
                               response.status)
        if sitemap.is_index:
            for link in sitemap.links:
                if self._allowed(link.url) and (not self.rules.sitemap_follow
                                                or matches_any(link.url, self.rules.sitemap_follow)):
                    yield self._request(link.url, "sitemap", self.parse_sitemap, handle_httpstatus_list=[304])
            return
        window = self.rules.news_sitemap_days if sitemap.is_news else None
        links = [link for link in sitemap.links if is_within_days(link.published, self.day, window,
                                                                  self.site.timezone)]
        yield from self._follow(links)

    def parse_list(self, response):
        rule = self.rules.lists[response.meta["list_rule"]]
        yield self.raw_page(response)
        html = response.text if isinstance(response, TextResponse) else ""
        links = list_links(html, response.url, link_selector=rule.link_selector, item_selector=rule.item_selector,
                           date_selector=rule.date_selector, day=self.day, timezone=self.site.timezone)
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

    def parse_article(self, response):
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
            http_status=response.status,
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

    def _is_article(self, url: str) -> bool:
        if not self._allowed(url) or matches_any(url, self.rules.exclude_patterns):
            return False
        return not self.rules.article_patterns or matches_any(url, self.rules.article_patterns)

    def _allowed(self, url: str) -> bool:
        return is_public_web_url(url) and is_allowed_url(url, self.site.allowed_hosts)

    def _request(self, url: str, kind: str, callback, **meta) -> Request:
        handle = meta.pop("handle_httpstatus_list", None)
        if handle:
            meta["handle_httpstatus_list"] = handle
        return Request(url, callback=callback, errback=self.failed,
                       meta={"ingot_kind": kind, "ingot_url": url, **meta})

    def _not_modified(self, response) -> bool:
        if response.status == 304:
            self.crawler.stats.inc_value(f"ingot/not_modified/{response.meta['ingot_kind']}")
            return True
        return False
