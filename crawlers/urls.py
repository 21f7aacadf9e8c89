"""Pure URL helpers: canonical form, host allowlists, and which links a crawler may ever fetch.

The canonical form is the key of "already stored": two spellings of one page (tracking parameters, query order,
fragment, default port, letter case of the host, a Unicode or punycode host, a trailing dot) must give the same
string. Hosts are compared in one form too (``normal_host``): rule files may list ``www.例子.cn`` while Scrapy
requests ``www.xn--fsqu00a.cn``, and a page may link either.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

import courlan
from w3lib.url import canonicalize_url, url_query_cleaner

# Parameters that only say where a reader came from (utm_*, click ids, and those Chinese portals and newsletters
# add). courlan's strict mode is not used: it keeps only a short list of parameter names and would collapse
# CISA's `content.html?articleId=…` pages into one URL.
TRACKING_PARAMS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "fbclid", "gclid",
    "yclid", "msclkid", "mc_cid", "mc_eid", "spm", "from", "share_token", "sharesource", "isappinstalled",
    "wxshare_count", "scene", "_hsenc", "_hsmi", "ref", "ref_src",
)


def canonical_url(url: str) -> str:
    """The canonical spelling of an http(s) URL: lowercase host, no default port, no fragment, sorted query
    without tracking parameters, percent-encoding normalised."""
    cleaned = _without_trailing_dot(url_query_cleaner(url.strip(), TRACKING_PARAMS, remove=True,
                                                      keep_fragments=False))
    try:
        cleaned = courlan.normalize_url(cleaned, strict=False)
    except ValueError:  # courlan refuses some malformed netlocs; w3lib alone is still deterministic
        pass
    return canonicalize_url(cleaned, keep_fragments=False)


def _without_trailing_dot(url: str) -> str:
    """``example.com.`` names the same host as ``example.com`` (and hides a default port from courlan)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = parts.hostname or ""
    if not host.endswith("."):
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    hostport = re.sub(r"\.+(?=:\d*$|$)", "", hostport)
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{hostport}" if userinfo else hostport))


def choose_canonical(page_url: str, rel_canonical: str | None, allowed_hosts: tuple[str, ...]) -> str:
    """The canonical URL of a fetched page: its ``rel=canonical`` when that points into the site's own hosts
    (a canonical pointing elsewhere is a syndication hint, not this page's identity), else the page URL."""
    if rel_canonical:
        absolute = urljoin(page_url, rel_canonical.strip())
        if is_allowed_url(absolute, allowed_hosts):
            return canonical_url(absolute)
    return canonical_url(page_url)


@lru_cache(maxsize=4096)
def normal_host(host: str) -> str:
    """A host name in the one form hosts are compared in: lowercase ASCII (IDNA, as Scrapy and w3lib encode it,
    after NFKC), without a trailing dot. A name the IDNA codec refuses (an empty or over-long label) is only
    lowercased: it matches nothing but itself."""
    host = host.strip().rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return unicodedata.normalize("NFKC", host).encode("idna").decode("ascii")
    except UnicodeError:
        return host


def url_host(url: str) -> str:
    """The host of ``url`` in the form of ``normal_host``; empty when there is none."""
    try:
        host = urlsplit(url).hostname
    except ValueError:  # an unbalanced IPv6 bracket
        return ""
    return normal_host(host) if host else ""


@lru_cache(maxsize=256)
def _normal_hosts(allowed_hosts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normal_host(host) for host in allowed_hosts)


def is_allowed_url(url: str, allowed_hosts: tuple[str, ...]) -> bool:
    """True for an http(s) URL whose host is exactly one of ``allowed_hosts`` (no subdomain leniency:
    mirrors live on look-alike hosts), whichever spelling (Unicode or punycode, letter case, trailing dot)
    either side uses."""
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        return False
    return scheme in ("http", "https") and url_host(url) in _normal_hosts(tuple(allowed_hosts))


def is_public_web_url(url: str) -> bool:
    """False for non-http(s) schemes, ``localhost`` and IP literals that are loopback, private, link-local or
    otherwise not on the public internet: a live page linking there is never followed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    address = ip_literal(host)
    return True if address is None else address.is_global  # a name: the resolver judges its addresses


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host written as a number stands for, in every form a resolver reads: dotted quads, and the
    forms ``inet_aton`` accepts too, which getaddrinfo and browsers honour (``2130706433``, ``0x7f000001``,
    ``0177.0.0.1``, ``127.1``: all 127.0.0.1). None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not host or not all(part and (part.isdigit() or part[:2] == "0x" and part[2:].isalnum())
                           for part in host.split(".")):
        return None  # inet_aton would read "1.2.3.4 junk" too: only a host made of numbers is one
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:  # a number out of range, or a hexadecimal part that is not one: a name after all
        return None


def matches_any(url: str, patterns) -> bool:
    return any(pattern.search(url) for pattern in patterns)
