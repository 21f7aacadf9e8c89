"""Scrapy settings of the ingot crawler: polite by default.

Run-time values come from ``ingot.settings.Settings`` (the environment); a site's own delay and concurrency are
set by the spider from its rule file; ``ingot.crawl_job`` passes command-line overrides (``-s``), which win.
"""

from ingot.settings import Settings

_settings = Settings.from_env()

BOT_NAME = "ingot"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

INGOT_DATABASE_URL = _settings.database_url
INGOT_SITES_DIR = str(_settings.sites_dir)
INGOT_FIXTURE_WEB = _settings.fixture_web
INGOT_OBEY_CRAWL_DELAY = True

# Politeness
USER_AGENT = _settings.user_agent
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# The spider yields one item per response; Scrapy's default of 100 starts 100 tasks for each (measured 1.2x slower).
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 1.0
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOAD_TIMEOUT = 30
TWISTED_DNS_RESOLVER = "crawlers.resolver.PublicAddressResolver"  # a name resolving inside is refused at connect time
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8,fr;q=0.7,th;q=0.6",
}

DOWNLOADER_MIDDLEWARES = {
    # the host guard replaces Scrapy's offsite filter, which drops off-site redirects silently at scheduling time
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawlers.middlewares.HostGuardMiddleware": 40,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.StrictRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.ConditionalGetMiddleware": 560,
    # last before the download and first after it: everything else sees the real URL
    "crawlers.middlewares.FixtureWebMiddleware": 990,
}
SPIDER_MIDDLEWARES = {
    "crawlers.middlewares.KnownPagesSpiderMiddleware": 950,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.RawPagePipeline": 300,
}
EXTENSIONS = {
    "crawlers.extensions.LogLevelGate": 0,
    "crawlers.extensions.CrawlDelay": 500,
}

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
