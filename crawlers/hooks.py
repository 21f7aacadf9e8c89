"""Small pure hooks for sites whose discovery does not fit feeds, sitemaps or static lists.

A hook is named in a rule file (``json_lists[].hook``) and is a pair of pure functions: one builds the HTTP
requests (as plain ``RequestSpec`` values), one reads article links out of a reply. The spider turns specs into
Scrapy requests; hooks never touch the network or the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urljoin, urlsplit

from parsel import Selector

from crawlers.dates import parse_list_date
from crawlers.discovery import Link


@dataclass(frozen=True)
class RequestSpec:
    url: str
    method: str = "GET"
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    page_url: str | None = None  # the page's identity when the fetch address is shared (an AJAX endpoint)


# CISA (www.chinaisa.org.cn): list and article pages are AJAX shells filled by POSTs with a URI-encoded JSON
# `params` form field.
CISA_LIST_ENDPOINT = "https://www.chinaisa.org.cn/gxportal/xfpt/portal/getColumnList"
CISA_ARTICLE_ENDPOINT = "https://www.chinaisa.org.cn/gxportal/xfpt/portal/viewArticleById"
CISA_HEADERS = {
    "X-Requested-With": "XMLHttpRequest",
    "Origin": "https://www.chinaisa.org.cn",
    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
}


def cisa_form_body(payload: dict) -> bytes:
    """``params=<URI-encoded compact JSON>``, the shape the site's own JavaScript posts."""
    return ("params=" + quote(json.dumps(payload, separators=(",", ":"), ensure_ascii=False), safe="")).encode()


def cisa_list_requests(url: str, form: dict, pages: int) -> list[RequestSpec]:
    column = form["columnId"]
    referer = f"https://www.chinaisa.org.cn/gxportal/xfpt/portal/list.html?columnId={column}"
    return [
        RequestSpec(url, "POST", cisa_form_body({"columnId": column, "param": {"pageNo": page, "pageSize": 20}}),
                    {**CISA_HEADERS, "Referer": referer})
        for page in range(1, pages + 1)
    ]


def cisa_list_links(body: bytes, base_url: str, day=None, timezone: str = "Asia/Shanghai") -> list[Link]:
    """Article shells out of a ``getColumnList`` reply (``articleListHtml``: ``ul.list li a`` + ``span.times``)."""
    reply = json.loads(body.decode("utf-8"))
    html = reply.get("articleListHtml") or ""
    links = []
    for item in Selector(text=html).css("ul.list li"):
        href = item.css("a::attr(href)").get()
        if not href:
            continue
        raw = (item.css("span.times::text").get() or "").strip() or None
        links.append(Link(urljoin("https://www.chinaisa.org.cn/gxportal/xfpt/portal/", href.strip()), raw,
                          parse_list_date(raw, day, timezone) if raw and day else None))
    return links


def cisa_article_request(page_url: str) -> RequestSpec:
    """The POST that returns the article behind a ``content.html?articleId=…&columnId=…`` shell."""
    query = parse_qs(urlsplit(page_url).query)
    payload = {"articleId": query["articleId"][0], "columnId": query.get("columnId", [""])[0]}
    return RequestSpec(CISA_ARTICLE_ENDPOINT, "POST", cisa_form_body(payload),
                       {**CISA_HEADERS, "Referer": page_url}, page_url=page_url)


@dataclass(frozen=True)
class Hook:
    list_requests: object  # (url, form, pages) -> list[RequestSpec]
    list_links: object  # (body, base_url, day, timezone) -> list[Link]
    article_request: object | None = None  # (page_url) -> RequestSpec


HOOKS = {
    "cisa": Hook(cisa_list_requests, cisa_list_links, cisa_article_request),
}


def get_hook(name: str) -> Hook:
    try:
        return HOOKS[name]
    except KeyError:
        raise ValueError(f"unknown hook {name!r} (known: {', '.join(sorted(HOOKS))})") from None
