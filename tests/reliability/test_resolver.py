"""Connect-time SSRF guard: a name that resolves to an inner address is refused by the crawler's resolver."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crawlers.resolver import inner_address_refusal
from ingot.paths import PROJECT_ROOT


@pytest.mark.parametrize("address", ["127.0.0.1", "127.1.2.3", "10.0.0.5", "172.16.0.1", "192.168.1.1",
                                     "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "fe80::1", "fc00::1"])
def test_inner_answers_are_refused(address):
    assert "not a public address" in inner_address_refusal("news.example.com", address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_answers_pass(address):
    assert inner_address_refusal("news.example.com", address) is None


def test_the_fixture_web_is_the_one_inner_address_allowed():
    assert inner_address_refusal("127.0.0.1", "127.0.0.1", frozenset({"127.0.0.1"})) is None
    assert inner_address_refusal("localhost", "127.0.0.1", frozenset({"localhost"})) is None
    assert inner_address_refusal("evil.example", "127.0.0.1", frozenset({"localhost"})) is not None


RESOLVE = """
from twisted.internet import reactor
from crawlers.resolver import PublicAddressResolver

resolver = PublicAddressResolver(reactor, 0, 10.0, frozenset({"127.0.0.2"}))
answers = {}
def done(result, name):
    answers[name] = getattr(result, "value", result)
    if len(answers) == 2:
        reactor.stop()
resolver.getHostByName("localhost").addBoth(done, "localhost")
resolver.getHostByName("127.0.0.2").addBoth(done, "127.0.0.2")
reactor.run()
print(repr(answers["localhost"])); print(repr(answers["127.0.0.2"]))
"""


def test_the_crawlers_resolver_refuses_a_name_resolving_to_loopback():
    """The real resolver on a real reactor: ``localhost`` (from /etc/hosts, no network) resolves to loopback."""
    done = subprocess.run([sys.executable, "-c", RESOLVE], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          check=True)
    refused, allowed = done.stdout.splitlines()
    assert "DNSLookupError" in refused and "not a public address" in refused, done.stdout
    assert allowed == "'127.0.0.2'"


def test_the_crawler_uses_it():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawlers.settings")
    assert settings.get("TWISTED_DNS_RESOLVER") == "crawlers.resolver.PublicAddressResolver"
