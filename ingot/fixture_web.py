"""A loopback web server for the offline fixture web: many sites served from one folder tree.

Pages live at ``<root>/<host>/<path>``: ``https://www.cnmn.com.cn/ShowNews1.aspx?id=468110`` is the file
``www.cnmn.com.cn/ShowNews1.aspx@id=468110``; a path ending in ``/`` serves ``index.html``; a POST is looked up as
``<path>@POST`` (plus ``@<query>``), or first ``<path>@POST[@<query>]@body-<16 hex>`` where the hex opens the
SHA-256 of the request body (AJAX endpoints such as CISA's answer by body). A sidecar ``<file>.meta.json`` may set ``status`` and ``headers``
(Content-Type with a charset, Last-Modified, Location...), ``"etag": false`` (no ETag, for a server that
validates by Last-Modified only), and, to imitate broken servers, ``delay`` (seconds before answering) and
``truncate`` (bytes actually sent of a body announced in full). Conditional GETs are answered 304 as RFC 9110
13.1 says: If-None-Match against the file's ETag (a hash of its bytes, unless the sidecar sets one), else
If-Modified-Since against its Last-Modified. The host comes from the ``Host`` header, so a crawler
that routes every request to this server keeps the site's real URLs. Every request is logged for assertions.

Fault switches imitate what live sites and networks do to a crawler. A fault is a dict with a ``kind`` (see
``FAULT_KINDS``) and its parameters, set per host or per path, either in a sidecar (``"fault": {...}``) or at run
time with ``web.inject(fault, host, path)`` (``path`` None: every path of the host). ``"times": n`` makes a fault
answer only the first n requests (a transient fault), after which the file is served normally. A fault answers
before the file is looked up, so generated faults (``huge``, ``gzip_bomb``) need no file.

Used by the tests and by ``ingot demo``; it binds to 127.0.0.1 only.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import socket
import struct
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

# kind → what the server does:
#   status     answer ``status`` (default 503) with a short HTML body, plus ``Retry-After: retry_after`` if given
#   reset      close the connection with a TCP reset before answering
#   stall      wait ``seconds`` (default 30), then close without answering: past any download timeout
#   truncate   announce the whole file but send only ``bytes`` of it
#   cut        send the file with no Content-Length (its end is the connection's close): only ``bytes`` of it,
#              then a TCP reset; without ``bytes``, all of it, then a normal close (a whole close-delimited body)
#   redirect   answer ``status`` (default 302) with ``Location: location`` (absolute or path)
#   huge       a generated HTML page of ``size`` bytes (announced in Content-Length, streamed; with
#              ``"announce": false`` streamed without Content-Length, its end the connection's close)
#   gzip_bomb  a small gzip body (Content-Encoding: gzip) that inflates to ``size`` bytes
#   call       run ``function(host, path)`` (run-time only: stop a database, kill a crawler), then serve
FAULT_KINDS = ("status", "reset", "stall", "truncate", "cut", "redirect", "huge", "gzip_bomb", "call")
DEFAULT_TYPES = {"": "text/html", ".htm": "text/html", ".html": "text/html", ".aspx": "text/html",
                 ".xml": "application/xml", ".json": "application/json", ".txt": "text/plain"}


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    host: str
    path: str  # path with query, as sent
    at: float = 0.0  # time.monotonic() when it arrived

    @property
    def url(self) -> str:
        return f"{self.host}{self.path}"


def fixture_file(root: Path, host: str, target: str, method: str = "GET", body: bytes | None = None) -> Path:
    """The file that answers ``method`` on ``host`` + ``target`` (a path with optional query); ``body`` names
    the body-specific variant of a POST."""
    parts = urlsplit(target)
    path = unquote(parts.path) or "/"
    if path.endswith("/"):
        path += "index.html"
    name = path.lstrip("/")
    if method == "POST":
        name += "@POST"
    if parts.query:
        name += "@" + parts.query
    if body is not None:
        name += "@body-" + hashlib.sha256(body).hexdigest()[:16]
    candidate = (root / host / name).resolve()
    if not candidate.is_relative_to(root.resolve()):
        raise FileNotFoundError(target)
    return candidate


class FixtureWeb:
    """``with FixtureWeb(root) as web:`` serves ``root`` on ``web.address`` until the block ends."""

    def __init__(self, root: Path, port: int = 0):
        self.root = root
        self.requests: list[LoggedRequest] = []
        self._faults: dict[tuple, dict] = {}
        self.stopping = False
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fixture-web", daemon=True)

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FixtureWeb:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping = True
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FixtureWeb:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log(self, request: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def requested(self, host: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if host is None or r.host == host]

    def inject(self, fault: dict, host: str, path: str | None = None) -> None:
        """Switch ``fault`` on for ``path`` of ``host`` (the path without its query), or for all of ``host``."""
        if fault.get("kind") not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.get('kind')!r}; one of {FAULT_KINDS}")
        if fault["kind"] == "gzip_bomb":
            gzip_bomb(int(fault["size"]))  # built now, not while a crawler's download timeout runs
        with self._lock:
            self._faults[(host.lower(), path)] = dict(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, host: str, path: str, sidecar: dict | None) -> dict | None:
        """The fault that answers this request, if any, counting down transient ones."""
        with self._lock:
            for key in ((host, path), (host, None)):
                fault = self._faults.get(key)
                if fault is not None:
                    break
            else:
                if sidecar is None:
                    return None
                key = ("sidecar", host, path)
                fault = self._faults.setdefault(key, dict(sidecar))
            if "times" in fault:
                if fault["times"] <= 0:
                    return None
                fault["times"] -= 1
            return fault

    def _handler_class(self):
        web = self

        class Handler(FixtureRequestHandler):
            fixture_web = web

        return Handler


class FixtureRequestHandler(BaseHTTPRequestHandler):
    fixture_web: FixtureWeb
    protocol_version = "HTTP/1.1"
    server_version = "ingot-fixture-web"

    def do_GET(self) -> None:
        self._answer("GET")

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer("POST", self.rfile.read(length))

    def log_message(self, format: str, *args) -> None:  # keep test output quiet; the request log is the record
        pass

    def _answer(self, method: str, body: bytes | None = None) -> None:
        target = self.path
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        if target.startswith(("http://", "https://")):  # absolute form, as sent to a proxy
            absolute = urlsplit(target)
            host = absolute.hostname or host
            target = absolute.path + (f"?{absolute.query}" if absolute.query else "")
        self.fixture_web.log(LoggedRequest(method, host, target, time.monotonic()))
        if self._misbehave(host, target, method):
            return
        root = self.fixture_web.root
        path = None
        for variant in ([body] if method == "POST" else []) + [None]:
            try:
                path = fixture_file(root, host, target, "POST" if method == "POST" else "GET", variant)
            except FileNotFoundError:
                path = None
            if path is not None and path.is_file():
                break
        if path is None or not path.is_file():
            self._send(404, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>404 Not Found</body></html>",
                       method)
            return
        body = path.read_bytes()
        status, headers = 200, {"Content-Type": guess_type(path)}
        meta_path = path.with_name(path.name + ".meta.json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        status = meta.get("status", status)
        headers.update(meta.get("headers", {}))
        if meta.get("delay"):
            time.sleep(float(meta["delay"]))
        if meta.get("etag", True):
            headers.setdefault("ETag", '"' + hashlib.sha256(body).hexdigest()[:20] + '"')
        if status == 200 and method in ("GET", "HEAD") and not_modified(self.headers, headers):
            validators = {name: headers[name] for name in ("ETag", "Last-Modified") if name in headers}
            self._send(304, validators, b"", method)
            return
        self._send(status, headers, body, method, meta.get("truncate"))

    def _misbehave(self, host: str, target: str, method: str) -> bool:
        """Answer with the fault switched on for this request, if any; True when the request is answered."""
        path = urlsplit(target).path or "/"
        sidecar = None
        try:
            file = fixture_file(self.fixture_web.root, host, target)
            meta_path = file.with_name(file.name + ".meta.json")
            if meta_path.is_file():
                sidecar = json.loads(meta_path.read_text(encoding="utf-8")).get("fault")
        except OSError:  # no such file, or a name too long for any file: only a run-time fault can answer
            pass
        fault = self.fixture_web.take_fault(host, path, sidecar)
        if fault is None:
            return False
        kind = fault["kind"]
        html = {"Content-Type": "text/html; charset=utf-8"}
        if kind == "status":
            status = int(fault.get("status", 503))
            headers = dict(html)
            if fault.get("retry_after") is not None:
                headers["Retry-After"] = str(fault["retry_after"])
            self._send(status, headers, f"<html><body><h1>Error {status}</h1></body></html>".encode(), method)
        elif kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif kind == "stall":
            deadline = time.monotonic() + float(fault.get("seconds", 30))
            while time.monotonic() < deadline and not self.fixture_web.stopping:
                time.sleep(0.05)
            self.close_connection = True
        elif kind == "truncate":
            return self._serve_truncated(host, target, method, int(fault.get("bytes", 100)))
        elif kind == "cut":
            return self._serve_close_delimited(host, target, method, fault.get("bytes"))
        elif kind == "redirect":
            self._send(int(fault.get("status", 302)), {**html, "Location": fault["location"]}, b"", method)
        elif kind == "huge":
            self._send_huge(int(fault["size"]), method, announce=fault.get("announce", True))
        elif kind == "gzip_bomb":
            self._send(200, {**html, "Content-Encoding": "gzip"}, gzip_bomb(int(fault["size"])), method)
        elif kind == "call":
            fault["function"](host, path)
            return False
        return True

    def _serve_truncated(self, host: str, target: str, method: str, sent: int) -> bool:
        try:
            file = fixture_file(self.fixture_web.root, host, target)
        except FileNotFoundError:
            return False
        if not file.is_file():
            return False
        self._send(200, {"Content-Type": guess_type(file)}, file.read_bytes(), method, sent)
        return True

    def _serve_close_delimited(self, host: str, target: str, method: str, sent: int | None) -> bool:
        try:
            file = fixture_file(self.fixture_web.root, host, target)
        except FileNotFoundError:
            return False
        if not file.is_file():
            return False
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", guess_type(file))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if method != "HEAD":
            self.wfile.write(body if sent is None else body[:int(sent)])
            self.wfile.flush()
        if sent is not None:  # a reset, not a close: the client cannot take the cut for the end
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        return True

    def _send_huge(self, size: int, method: str, announce: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if announce:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        self.close_connection = True
        if method == "HEAD":
            return
        chunk = b"<p>" + b"filler " * 9360 + b"</p>\n"  # ~64 KB
        sent = 0
        try:
            while sent < size:
                part = chunk[:size - sent]
                self.wfile.write(part)
                sent += len(part)
        except OSError:  # the client gave up, as it should
            pass

    def _send(self, status: int, headers: dict, body: bytes, method: str, truncate: int | None = None) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status == 304:  # no body, whatever a fault asked for (RFC 9110 15.4.5)
            body = b""
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body if truncate is None else body[:truncate])
        if truncate is not None:
            self.close_connection = True


def not_modified(request_headers, response_headers: dict) -> bool:
    """Whether a conditional GET is answered 304: If-None-Match decides when sent (weak comparison, or ``*``);
    otherwise If-Modified-Since at or after the Last-Modified date."""
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:
        etag = response_headers.get("ETag")
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag is not None and ("*" in tags or etag.removeprefix("W/") in tags)
    since, modified = request_headers.get("If-Modified-Since"), response_headers.get("Last-Modified")
    if not since or not modified:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):  # an unreadable date: answer in full, as RFC 9110 13.1.3 says
        return False


@lru_cache(maxsize=4)
def gzip_bomb(size: int) -> bytes:
    """A gzip body that inflates to ``size`` bytes of one repeated HTML paragraph (about 1000:1). Cached:
    compressing tens of megabytes takes seconds on a busy machine, longer than a test's download timeout."""
    paragraph = b"<p>" + b"a" * 1017 + b"</p>\n"
    data = b"<html><body>" + paragraph * (size // len(paragraph) + 1)
    return gzip.compress(data[:size], compresslevel=9, mtime=0)


def guess_type(path: Path) -> str:
    name = path.name.split("@")[0]
    suffix = Path(name).suffix.lower()
    return DEFAULT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
