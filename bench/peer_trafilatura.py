"""Peer (a): trafilatura's own crawl + extraction of a site, as its command line does in sitemap mode
(``trafilatura --sitemap URL --parallel N``): sitemap_search, buffered_downloads on threads, then
bare_extraction with metadata for each page in this one process, results kept minimally (a JSON list).

    python -m bench.peer_trafilatura BASE_URL OUT.json [--threads 16]

Politeness off for the benchmark: no sleep between sitemaps, SSRF protection off (the bench host resolves to
127.0.0.1: every name is answered with the loopback address, as a hosts-file entry would).
"""

from __future__ import annotations

import argparse
import json
import socket
from copy import deepcopy

_real_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host, *args, **kwargs):
    return _real_getaddrinfo("127.0.0.1", *args, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("out")
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    socket.getaddrinfo = _loopback_getaddrinfo

    import trafilatura
    from trafilatura.downloads import buffered_downloads
    from trafilatura.settings import DEFAULT_CONFIG, Extractor
    from trafilatura.sitemaps import sitemap_search

    config = deepcopy(DEFAULT_CONFIG)
    config["DEFAULT"]["SLEEP_TIME"] = "0"
    config["DEFAULT"]["SSRF_PROTECTION"] = "off"
    options = Extractor(config=config, with_metadata=True)
    urls = sitemap_search(args.base_url, sleep_time=0, config=config)
    results = []
    for url, html in buffered_downloads(urls, args.threads, options=options):
        if not html:
            continue
        document = trafilatura.bare_extraction(html, url=url, with_metadata=True, config=config)
        if document is not None:
            results.append({"url": url, "title": document.title, "text": document.text, "date": document.date,
                            "author": document.author})
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump({"urls": len(urls), "articles": results}, out, ensure_ascii=False)


if __name__ == "__main__":
    main()
