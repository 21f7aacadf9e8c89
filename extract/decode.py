"""Bytes → str, once and explicitly.

Chain: HTTP charset → <meta charset>/http-equiv → strict UTF-8 → GB18030. Every step decodes *strictly*: a
declared charset that does not fit the bytes (real pages lie) falls through to the next step instead of
producing U+FFFD. GB2312/GBK are read as GB18030 (its superset: pages labelled gb2312 routinely use GBK
characters) and Big5 as Big5-HKSCS for the same reason.

Two lies strict decoding cannot catch, because legacy codecs accept almost any byte string:
* bytes that are valid multi-byte UTF-8 but declared as a legacy charset: valid UTF-8 by accident is
  vanishingly rare for real text, so UTF-8 wins;
* GBK bytes declared as a single-byte charset (latin-1/cp1252): if they also decode as GB18030 into mostly
  Han characters, GB18030 wins.
Not caught: GBK bytes declared Big5 (or the reverse) usually decode strictly into the wrong characters; the
declaration is believed. SITES.md §1.6 has seen no Big5 on these sites.
"""

from __future__ import annotations

import codecs
import re

# Labels whose strict superset we decode with instead.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
    "euc-cn": "gb18030", "big5": "big5hkscs", "x-big5": "big5hkscs", "cp950": "big5hkscs",
    # WHATWG: latin-1 labels mean windows-1252
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


class UndecodableError(ValueError):
    """No charset in the chain decodes the bytes strictly."""


def normalise_charset(label: str | None) -> str | None:
    """Map a charset label to a Python codec name (superset-aware), None if unknown."""
    if not label:
        return None
    label = label.strip().strip("'\"").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_meta_charset(head: bytes) -> str | None:
    """Charset declared by <meta charset> or <meta http-equiv=Content-Type> in the first 4 KB."""
    match = _META_CHARSET.search(head[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def _strict(body: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes | str, http_charset: str | None = None) -> tuple[str, str]:
    """Return (text, codec used). Raises UndecodableError when nothing fits strictly."""
    if isinstance(body, str):
        return body, "str"
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "strict"), "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(body, "utf-16")
        if text is not None:
            return text.lstrip("\ufeff"), "utf-16"
    if b"\x00" in body[:1024] and not body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UndecodableError("NUL bytes: binary content, not HTML")
    as_utf8 = _strict(body, "utf-8")
    if as_utf8 is not None and not as_utf8.isascii():
        return as_utf8.lstrip("\ufeff"), "utf-8"
    tried: list[str] = []
    for label in (http_charset, declared_meta_charset(body)):
        codec = normalise_charset(label)
        if codec and codec not in tried:
            tried.append(codec)
            text = _strict(body, codec)
            if text is not None and _is_single_byte(codec):
                as_gb = _strict(body, "gb18030")
                if as_gb is not None and _han_share(as_gb) > 0.3:
                    return as_gb.lstrip("\ufeff"), "gb18030"
            if text is not None:
                return text.lstrip("\ufeff"), codec
    for codec in ("utf-8", "gb18030"):
        if codec not in tried:
            text = _strict(body, codec)
            if text is not None:
                return text.lstrip("\ufeff"), codec
    raise UndecodableError(f"no strict decoding among {tried + ['utf-8', 'gb18030']}")


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(("cp125", "iso8859", "latin", "windows", "mac"))


def _han_share(text: str) -> float:
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return 0.0
    return sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff") / len(non_ascii)

