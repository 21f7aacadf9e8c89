"""The crawler's DNS resolver: a name is connected to only when it resolves to a public address.

The host guard (``crawlers.urls.is_public_web_url``) judges the URL as written; a name that an allowed site's
DNS (or an attacker's) points at 127.0.0.1, 10/8, 169.254.169.254 or another inner address passes it. This
resolver, Scrapy's own caching resolver with one more check, refuses such an answer at connect time, so the
request fails with the reason instead of reaching the inside. The loopback fixture web (``INGOT_FIXTURE_WEB``,
tests and ``ingot demo``) is the one inner address allowed, and only when that switch names it.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError


def inner_address_refusal(name: str, address: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """Why connecting to ``address`` (what ``name`` resolved to) is refused, or None for a public address."""
    if address in allowed or name in allowed:
        return None
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"{name} resolves to {address!r}, not an IP address"
    if parsed.is_global:
        return None
    return f"{name} resolves to {address}, not a public address: refused"


class PublicAddressResolver(CachingThreadedResolver):
    """``CachingThreadedResolver`` refusing answers that are loopback, private, link-local or reserved."""

    def __init__(self, reactor, cache_size: int, timeout: float, allowed: frozenset[str] = frozenset()):
        super().__init__(reactor, cache_size, timeout)
        self.allowed = allowed

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        fixture_web = crawler.settings.get("INGOT_FIXTURE_WEB")
        resolver.allowed = frozenset({urlsplit(fixture_web).hostname} if fixture_web else set())
        return resolver

    def getHostByName(self, name, timeout=()):
        return super().getHostByName(name, timeout).addCallback(self._refuse_inner, name)

    def _refuse_inner(self, address: str, name: str) -> str:
        refusal = inner_address_refusal(name, address, self.allowed)
        if refusal:
            raise DNSLookupError(refusal)
        return address
