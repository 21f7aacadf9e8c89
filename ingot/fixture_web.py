"""A loopback web server for the offline fixture web: many sites served from one folder tree.

Pages live at ``<root>/<host>/<path>``: ``https://www.cnmn.com.cn/ShowNews1.aspx?id=468110`` is the file
``www.cnmn.com.cn/ShowNews1.aspx@id=468110``; a path ending in ``/`` serves ``index.html``; a POST is looked up as
``<path>@POST`` (plus ``@<query>``), or first ``<path>@POST[@<query>]@body-<16 hex>`` where the hex opens the
SHA-256 of the request body (AJAX endpoints such as CISA's answer by body). A sidecar ``<file>.meta.json`` may set ``status`` and ``headers``
(Content-Type with a charset, Last-Modified, Location...), and, to imitate broken servers, ``delay`` (seconds
before answering) and ``truncate`` (bytes actually sent of a body announced in full). The host comes from the ``Host`` header, so a crawler
that routes every request to this server keeps the site's real URLs. Every request is logged for assertions.

Used by the tests and by ``ingot demo``; it binds to 127.0.0.1 only.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_TYPES = {"": "text/html", ".htm": "text/html", ".html": "text/html", ".aspx": "text/html",
                 ".xml": "application/xml", ".json": "application/json", ".txt": "text/plain"}


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    host: str
    path: str  # path with query, as sent

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
        self.fixture_web.log(LoggedRequest(method, host, target))
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
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        headers.setdefault("ETag", etag)
        if status == 200 and self.headers.get("If-None-Match") == headers["ETag"]:
            self._send(304, {"ETag": headers["ETag"]}, b"", method)
            return
        self._send(status, headers, body, method, meta.get("truncate"))

    def _send(self, status: int, headers: dict, body: bytes, method: str, truncate: int | None = None) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body if truncate is None else body[:truncate])
        if truncate is not None:
            self.close_connection = True


def guess_type(path: Path) -> str:
    name = path.name.split("@")[0]
    suffix = Path(name).suffix.lower()
    return DEFAULT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
