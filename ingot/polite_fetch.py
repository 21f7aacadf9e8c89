"""A small synchronous HTTP client for the operator's probes (``ingot sites discover`` / ``check``), polite the way
the crawler is: only the allowed hosts and public addresses, robots.txt obeyed (unreachable robots.txt: nothing
allowed, as the crawler's ``StrictRobotsTxtMiddleware``), a delay between requests to one host, the crawler's
User-Agent with its contact URL, time and size limits, and each redirect judged like a new request.

With a fixture web (``Settings.fixture_web``) every request goes to that loopback server with the real host in
the ``Host`` header, as ``crawlers.middlewares.FixtureWebMiddleware`` routes the crawler: the real URL is what is
judged, reported and returned. A probe is a dozen requests, so a plain ``http.client`` connection per request is
enough; no Scrapy reactor is started.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from protego import Protego

from crawlers.autodiscovery import robots_url
from crawlers.urls import is_allowed_url, is_public_web_url

TIMEOUT_S = 20.0
MAX_BYTES = 20 * 1024 * 1024  # the crawler's DOWNLOAD_MAXSIZE
MAX_REDIRECTS = 5
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml;q=0.9,*/*;q=0.8"
REDIRECTS = {301, 302, 303, 307, 308}
BLOCKING_STATUSES = {401, 403, 407, 451}  # the site refuses us, as opposed to a page that is missing


@dataclass(frozen=True)
class Fetched:
    """The answer to one request. ``problem`` is None when a response came (any status); else it says why none
    did. ``blocked`` marks a refusal: robots.txt, or the server answering 401/403/451."""

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    problem: str | None = None
    blocked: bool = False

    @property
    def ok(self) -> bool:
        return self.problem is None and self.status == 200

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def failure(self) -> str:
        """Why this is not a usable page, in a few words (``HTTP 404``, ``blocked by robots.txt``, ...)."""
        return self.problem or f"HTTP {self.status}"


@dataclass
class _Robots:
    parser: Protego | None  # None: everything allowed (no robots.txt)
    disallow_all: str | None = None  # why nothing is allowed (robots.txt unreachable)
    status: int | None = None
    body: bytes = b""


class PoliteFetcher:
    def __init__(self, allowed_hosts, *, user_agent: str, fixture_web: str | None = None, delay_s: float = 1.0,
                 timeout_s: float = TIMEOUT_S, max_bytes: int = MAX_BYTES):
        self.allowed_hosts = tuple(allowed_hosts)
        self.user_agent = user_agent
        self.fixture_web = urlsplit(fixture_web) if fixture_web else None
        if self.fixture_web and self.fixture_web.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the fixture web must be a loopback address, not {fixture_web}")
        self.delay_s = 0.0 if fixture_web else delay_s
        self.timeout_s, self.max_bytes = timeout_s, max_bytes
        self._robots: dict[str, _Robots] = {}
        self._last_request: dict[str, float] = {}
        self.requests = 0

    # -- robots.txt -------------------------------------------------------------------------------------------

    def robots(self, url: str) -> Fetched:
        """The robots.txt governing ``url``, fetched once per host (a 404 is an answer: no rules)."""
        address = robots_url(url)
        robots = self._robots_for(url)
        return Fetched(address, address, robots.status, {}, robots.body, robots.disallow_all)

    def allows(self, url: str) -> str | None:
        """None when ``url`` may be fetched, else the reason it may not."""
        if not is_public_web_url(url):
            return "refused: not a public http(s) address"
        if not is_allowed_url(url, self.allowed_hosts):
            return "refused: outside the allowed hosts"
        robots = self._robots_for(url)
        if robots.disallow_all:
            return f"blocked: robots.txt unreachable ({robots.disallow_all})"
        if robots.parser is not None and not robots.parser.can_fetch(url, self.user_agent):
            return "blocked by robots.txt"
        return None

    def _robots_for(self, url: str) -> _Robots:
        parts = urlsplit(url)
        netloc = f"{parts.scheme}://{parts.netloc}"
        if netloc not in self._robots:
            answer = self._fetch_robots(robots_url(url))
            if answer.problem or answer.status >= 500 or answer.status == 429:  # RFC 9309 2.3.1.3/4
                self._robots[netloc] = _Robots(None, answer.failure(), answer.status, answer.body)
            elif answer.status >= 300:  # missing, or sent off the site: no rules, as Scrapy reads it
                self._robots[netloc] = _Robots(None, None, answer.status, answer.body)
            else:
                text = answer.body.decode("utf-8", "replace")
                self._robots[netloc] = _Robots(Protego.parse(text), None, answer.status, answer.body)
                delay = self._robots[netloc].parser.crawl_delay(self.user_agent)
                if delay and self.delay_s:  # Crawl-delay, except against our own loopback fixture web
                    self.delay_s = max(self.delay_s, float(delay))
        return self._robots[netloc]

    def _fetch_robots(self, address: str) -> Fetched:
        """robots.txt itself, following redirects (RFC 9309 allows five) while they stay on the allowed hosts."""
        answer = self._fetch_once(address, "GET", None, {})
        for _ in range(MAX_REDIRECTS):
            location = answer.headers.get("location")
            if answer.problem or answer.status not in REDIRECTS or not location:
                break
            following = urljoin(answer.url, location.strip())
            if not (is_public_web_url(following) and is_allowed_url(following, self.allowed_hosts)):
                break
            answer = self._fetch_once(following, "GET", None, {})
        return answer

    # -- fetching ---------------------------------------------------------------------------------------------

    def fetch(self, url: str, *, method: str = "GET", body: bytes | None = None,
              headers: dict | None = None) -> Fetched:
        """``url`` fetched if allowed, following redirects that stay allowed; never raises for network trouble."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            refusal = self.allows(current)
            if refusal:
                return Fetched(url, current, problem=refusal, blocked=refusal.startswith("blocked"))
            answer = self._fetch_once(current, method, body, headers or {})
            if answer.problem or answer.status not in REDIRECTS or not answer.headers.get("location"):
                blocked = answer.status in BLOCKING_STATUSES and not answer.problem
                return Fetched(url, current, answer.status, answer.headers, answer.body, answer.problem, blocked)
            current = urljoin(current, answer.headers["location"].strip())
            if answer.status == 303 or answer.status in (301, 302) and method == "POST":
                method, body = "GET", None
        return Fetched(url, current, problem="too many redirects")

    def _fetch_once(self, url: str, method: str, body: bytes | None, headers: dict) -> Fetched:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._wait_for(parts.netloc)
        request_headers = {"Host": parts.netloc, "User-Agent": self.user_agent, "Accept": ACCEPT,
                           "Accept-Encoding": "gzip", "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8", **headers}
        connection = self._connection(parts)
        self.requests += 1
        try:
            connection.request(method, target, body=body, headers=request_headers)
            response = connection.getresponse()
            answer_headers = {name.lower(): value for name, value in response.getheaders()}
            announced = answer_headers.get("content-length", "")
            if announced.isdigit() and int(announced) > self.max_bytes:
                return Fetched(url, url, response.status, answer_headers,
                               problem=f"too large ({announced} B, over {self.max_bytes} B)")
            raw = self._read(response)
            if raw is None:
                return Fetched(url, url, response.status, answer_headers,
                               problem=f"too large (over {self.max_bytes} B)")
            data = self._decoded(raw, answer_headers.get("content-encoding", ""))
            if data is None:
                return Fetched(url, url, response.status, answer_headers,
                               problem=f"too large after decompression (over {self.max_bytes} B)")
            return Fetched(url, url, response.status, answer_headers, data)
        except (OSError, http.client.HTTPException, ssl.SSLError, zlib.error) as error:
            kind = "timeout" if isinstance(error, (socket.timeout, TimeoutError)) else type(error).__name__
            return Fetched(url, url, problem=f"{kind}: {str(error)[:120]}".rstrip(": "))
        finally:
            connection.close()
            self._last_request[parts.netloc] = time.monotonic()

    def _connection(self, parts) -> http.client.HTTPConnection:
        if self.fixture_web:
            return http.client.HTTPConnection(self.fixture_web.hostname, self.fixture_web.port or 80,
                                              timeout=self.timeout_s)
        if parts.scheme == "https":
            return http.client.HTTPSConnection(parts.hostname, parts.port or 443, timeout=self.timeout_s,
                                               context=ssl.create_default_context())
        return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=self.timeout_s)

    def _read(self, response) -> bytes | None:
        deadline = time.monotonic() + self.timeout_s * 3  # a server dripping bytes does not hold a probe forever
        chunks, size = [], 0
        while True:
            chunk = response.read(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                return None
            if time.monotonic() > deadline:
                raise TimeoutError(f"body not complete within {self.timeout_s * 3:.0f} s")
            chunks.append(chunk)

    def _decoded(self, raw: bytes, encoding: str) -> bytes | None:
        if encoding.strip().lower() not in ("gzip", "x-gzip", "deflate"):
            return raw
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header
        data = inflater.decompress(raw, self.max_bytes + 1)
        return None if len(data) > self.max_bytes else data

    def _wait_for(self, netloc: str) -> None:
        last = self._last_request.get(netloc)
        if last is not None and self.delay_s:
            pause = self.delay_s - (time.monotonic() - last)
            if pause > 0:
                time.sleep(pause)
