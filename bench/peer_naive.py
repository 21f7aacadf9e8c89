"""Peer (b): the spider a typical tutorial writes: Scrapy's SitemapSpider, trafilatura called in the callback,
one INSERT per article on an autocommit psycopg connection.

    python -m scrapy runspider bench/peer_naive.py -a sitemap=URL -a db=CONNINFO -s DNS_RESOLVER=bench.peer_naive.LoopbackResolver

The table ``naive_article`` is created by the benchmark in its throwaway database. ``LoopbackResolver`` answers
every name with 127.0.0.1 (a hosts-file entry), so the site keeps its own URLs.
"""

from __future__ import annotations

import psycopg
import trafilatura
from scrapy.resolver import CachingThreadedResolver
from scrapy.spiders import SitemapSpider
from twisted.internet import defer


class LoopbackResolver(CachingThreadedResolver):
    def getHostByName(self, name, timeout=()):
        return defer.succeed("127.0.0.1")


class NaiveSpider(SitemapSpider):
    name = "naive"
    custom_settings = {"ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                       "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "INFO",
                       "DNS_RESOLVER": "bench.peer_naive.LoopbackResolver", "TELNETCONSOLE_ENABLED": False}

    def __init__(self, sitemap: str, db: str, *args, **kwargs):
        self.sitemap_urls = [sitemap]
        super().__init__(*args, **kwargs)
        self.conn = psycopg.connect(db, autocommit=True)

    def parse(self, response):
        doc = trafilatura.bare_extraction(response.text, url=response.url, with_metadata=True)
        if doc is None:
            return
        self.conn.execute("INSERT INTO naive_article (url, title, text, published, author) VALUES (%s, %s, %s, %s, %s)",
                          (response.url, doc.title, doc.text, doc.date, doc.author))
        yield {"url": response.url}

    def closed(self, reason):
        self.conn.close()
