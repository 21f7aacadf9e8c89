"""Pure helpers: why a request ended without a usable page, as a short reason an operator can group and read.

Reasons name the kind of failure without the URL (the URL is kept beside the reason), so that a crawl run's
error summary counts alike failures together: ``HTTP 503 x4``, ``too large x1``.
"""

from __future__ import annotations

import re

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

ROBOTS_FORBIDDEN = "Forbidden by robots.txt"
_MAXSIZE = re.compile(r"(?:Expected to receive|Received) (\d+) bytes which is larger than download max size \((\d+)\)")
_DECOMPRESSED = re.compile(r"\((\d+) B compressed, (\d+) B decompressed so far\) exceeded DOWNLOAD_MAXSIZE \((\d+) B\)")
_TIMEOUT = re.compile(r"took longer than ([\d.]+) seconds")


class RefusedRequest(IgnoreRequest):
    """A request the host guard refused: its URL is off the site or not a public web address."""


def is_decision(error: BaseException) -> bool:
    """A request dropped on purpose (robots.txt Disallow), not a page lost."""
    return isinstance(error, IgnoreRequest) and not isinstance(error, HttpError) and str(error) == ROBOTS_FORBIDDEN


def failure_reason(error: BaseException) -> str:
    """``HTTP 503``, ``timeout (no answer within 2.0 s)``, ``too large (...)``, ``body cut short``, ..."""
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status}"
    if isinstance(error, RefusedRequest):
        return str(error)
    name = type(error).__name__
    text = str(error)
    if found := _DECOMPRESSED.search(text):
        return (f"too large after decompression ({found.group(1)} B compressed, inflating past DOWNLOAD_MAXSIZE "
                f"{found.group(3)} B)")  # gzip, deflate or brotli: the message does not say which
    if found := _MAXSIZE.search(text):
        return f"too large ({found.group(1)} B, over DOWNLOAD_MAXSIZE {found.group(2)} B)"
    if name in ("DownloadCancelledError", "CancelledError") and not text.strip():
        # Scrapy cancels a body streamed without Content-Length once it passes DOWNLOAD_MAXSIZE, and says no more
        return "too large (streamed without Content-Length past DOWNLOAD_MAXSIZE), or cancelled as the crawl stopped"
    if found := _TIMEOUT.search(text):
        return f"{name}: no answer within {found.group(1)} s"
    if name == "ResponseDataLossError" or "DataLoss" in text:
        return f"{name}: body cut short of its Content-Length"
    if "ConnectionLost" in text or "ConnectionDone" in text or "ConnectionReset" in text:
        return f"{name}: connection lost (reset by the server)"
    if text == "max redirections reached":
        return "too many redirects"
    return f"{name}: {text[:200]}".rstrip(": ")


def dropped_redirect_reason(request_url: str, redirect_urls: list[str], allowed: bool) -> str | None:
    """Why a redirect's target was dropped before download: it left the site, or it loops; None for a redirect
    onto a page already requested under another URL (the page was fetched there)."""
    if not allowed:
        return "redirected outside the allowed hosts"
    if request_url in redirect_urls:
        return "redirect loop"
    return None
