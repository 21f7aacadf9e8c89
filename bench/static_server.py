"""A fast loopback server for the benchmarks: a fixture-web tree pre-loaded into memory, served by asyncio in
its own process, so neither disk reads nor the benchmarking process's GIL slow the crawlers down.

    with StaticServer(web_dir) as server:   # server.address == "http://127.0.0.1:PORT"
        ...
        server.requests()                    # [(method, host, path, status), ...] since the last reset
        server.reset_log(); server.load(other_web_dir)

HTTP/1.1 with keep-alive, GET/HEAD only, ETag + If-None-Match (304), absolute-form targets (proxies). The host
comes from the Host header; with a single host in the tree any host (127.0.0.1 included) is served from it.
Control requests go to ``/__bench/...`` and are not logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import multiprocessing
import socket
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import urlopen

from ingot.fixture_web import guess_type


def load_tree(web_dir: Path) -> dict[tuple[str, str], tuple[bytes, bytes, str]]:
    """(host, path) → (header block without Content-Length, body, etag) for every file of the tree."""
    pages = {}
    for file in web_dir.rglob("*"):
        if not file.is_file() or file.name.endswith(".meta.json"):
            continue
        relative = file.relative_to(web_dir)
        host, name = relative.parts[0], "/".join(relative.parts[1:])
        path = "/" + name.replace("@", "?", 1) if "@" in name else "/" + name
        body = file.read_bytes()
        headers = {"Content-Type": guess_type(file)}
        meta = file.with_name(file.name + ".meta.json")
        if meta.is_file():
            headers.update(json.loads(meta.read_text()).get("headers", {}))
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        headers["ETag"] = etag
        block = "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode("latin-1")
        pages[(host, path)] = (block, body, etag)
        if path.endswith("/index.html"):
            pages[(host, path[: -len("index.html")])] = (block, body, etag)
    return pages


NOT_FOUND = b"<html><body>404 Not Found</body></html>"


class _State:
    def __init__(self, web_dir: Path):
        self.log: list[tuple[str, str, str, int]] = []
        self.load(web_dir)

    def load(self, web_dir: Path) -> None:
        self.pages = load_tree(Path(web_dir))
        self.hosts = {host for host, _ in self.pages}

    def lookup(self, host: str, path: str):
        found = self.pages.get((host, path))
        if found is None and len(self.hosts) == 1:
            found = self.pages.get((next(iter(self.hosts)), path))
        return found


async def _handle(state: _State, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            if int(headers.get("content-length") or 0):
                await reader.readexactly(int(headers["content-length"]))
            host = headers.get("host", "").split(":")[0].lower()
            if target.startswith(("http://", "https://")):
                parts = urlsplit(target)
                host, target = (parts.hostname or host), parts.path + (f"?{parts.query}" if parts.query else "")
            path = unquote(target)
            if path.startswith("/__bench/"):
                writer.write(_control(state, path))
                await writer.drain()
                continue
            found = state.lookup(host, path) if method in ("GET", "HEAD") else None
            if found is None:
                status, block, body = 404, b"Content-Type: text/html\r\n", NOT_FOUND
            elif headers.get("if-none-match") == found[2]:
                status, block, body = 304, f"ETag: {found[2]}\r\n".encode(), b""
            else:
                status, block, body = 200, found[0], found[1]
            state.log.append((method, host, target, status))
            reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
            writer.write(b"HTTP/1.1 %d %s\r\n%sContent-Length: %d\r\n\r\n" % (status, reason.encode(), block, len(body)))
            if method != "HEAD" and body:
                writer.write(body)
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError):
        pass
    finally:
        writer.close()


def _control(state: _State, path: str) -> bytes:
    parts = urlsplit(path)
    if parts.path == "/__bench/log":
        body = json.dumps(state.log).encode()
    elif parts.path == "/__bench/reset":
        state.log.clear()
        body = b"[]"
    elif parts.path == "/__bench/load":
        state.load(Path(parts.query))
        state.log.clear()
        body = json.dumps(len(state.pages)).encode()
    else:
        body = b"null"
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def _serve(sock: socket.socket, web_dir: str, ready) -> None:
    async def main():
        state = _State(Path(web_dir))
        server = await asyncio.start_server(lambda r, w: _handle(state, r, w), sock=sock, limit=2**16)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class StaticServer:
    def __init__(self, web_dir: Path, port: int = 0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        self.web_dir = web_dir
        self.process: multiprocessing.Process | None = None

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StaticServer:
        ctx = multiprocessing.get_context("fork")
        ready = ctx.Event()
        self.process = ctx.Process(target=_serve, args=(self.sock, str(self.web_dir), ready), daemon=True)
        self.process.start()
        if not ready.wait(60):
            raise RuntimeError("static server did not start")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.join(10)
        self.sock.close()

    def __enter__(self) -> StaticServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _get(self, path: str):
        with urlopen(self.address + path, timeout=60) as response:
            return json.loads(response.read())

    def requests(self) -> list[tuple[str, str, str, int]]:
        return [tuple(r) for r in self._get("/__bench/log")]

    def reset_log(self) -> None:
        self._get("/__bench/reset")

    def load(self, web_dir: Path) -> int:
        return self._get(f"/__bench/load?{web_dir}")
