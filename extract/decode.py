"""Bytes → str, once and explicitly.

Chain: HTTP charset → <meta charset>/http-equiv → strict UTF-8 → GB18030. Every step decodes *strictly*: a
declared charset that does not fit the bytes (real pages lie) falls through to the next step instead of
producing U+FFFD. GB2312/GBK are read as GB18030 (its superset: pages labelled gb2312 routinely use GBK
characters) and Big5 as Big5-HKSCS for the same reason.

Two lies strict decoding cannot catch, because legacy codecs accept almost any byte string:
* bytes that are valid multi-byte UTF-8 but declared as a legacy charset: valid UTF-8 by accident is
  vanishingly rare for real text, so UTF-8 wins;
* GBK bytes declared as a single-byte charset (latin-1/cp1252): if they also decode as GB18030 into mostly
  Han characters, most of them GB2312's common ones, GB18030 wins (accented Latin text also decodes into Han
  characters, rare ones).
Not caught: GBK bytes declared Big5 (or the reverse) usually decode strictly into the wrong characters; the
declaration is believed. SITES.md §1.6 has seen no Big5 on these sites.

When no charset decodes strictly, a few damaged bytes do not cost the page: a UTF-8 page with a stray Latin-1
byte in a script, or a GBK page with one broken pair, decodes with those bytes left out (they carry no text),
and their count is returned (`Decoded.replaced`) for the caller to record. Only bytes that no charset reads as text (binary data,
or more than `MAX_REPLACED_SHARE` of the characters replaced) are `UndecodableError`.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

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


MAX_REPLACED_SHARE = 0.005  # of the decoded characters; more is not text in that charset
MAX_REPLACED = 64  # bytes replaced, whatever the length: beyond it the page is damaged, not a few stray bytes


class Decoded(NamedTuple):
    text: str
    codec: str
    replaced: int = 0  # undecodable byte sequences left out of the text


def decode_html(body: bytes | str, http_charset: str | None = None) -> tuple[str, str]:
    """Return (text, codec used). Raises UndecodableError when no charset gives readable text."""
    text, codec, _ = decode_page(body, http_charset)
    return text, codec


def decode_page(body: bytes | str, http_charset: str | None = None) -> Decoded:
    """The page's text, its codec and how many damaged byte sequences were replaced (see the module doc).

    Order: BOM → strict UTF-8 (non-ASCII) → each declared charset strictly → each declared charset with a few
    bytes replaced → strict GB18030 holding Han text → UTF-8, then GB18030, with a few bytes replaced → for an
    undeclared page, windows-1252 (the web's default for unlabelled pages).
    """
    if isinstance(body, str):
        return Decoded(body, "str")
    if body.startswith(codecs.BOM_UTF8):
        return _lenient(body[3:], "utf-8", "utf-8-sig") or _undecodable(["utf-8-sig"])
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(body, "utf-16")
        if text is not None:
            return Decoded(text.lstrip("\ufeff"), "utf-16")
    if b"\x00" in body[:1024]:
        raise UndecodableError("NUL bytes: binary content, not HTML")
    as_utf8 = _strict(body, "utf-8")
    if as_utf8 is not None and not as_utf8.isascii():
        return Decoded(as_utf8.lstrip("\ufeff"), "utf-8")
    declared = list(dict.fromkeys(c for c in map(normalise_charset, (http_charset, declared_meta_charset(body))) if c))
    for codec in declared:
        text = _strict(body, codec)
        if text is not None and _is_single_byte(codec):
            as_gb = _strict(body, "gb18030")
            if as_gb is not None and _reads_as_chinese(as_gb):
                return Decoded(as_gb.lstrip("\ufeff"), "gb18030")
        if text is not None:
            return Decoded(text.lstrip("\ufeff"), codec)
    for codec in declared:
        found = _lenient(body, codec)
        if found:
            return found
    if as_utf8 is not None:
        return Decoded(as_utf8.lstrip("\ufeff"), "utf-8")
    as_gb = _strict(body, "gb18030")
    if as_gb is not None and _reads_as_chinese(as_gb):
        return Decoded(as_gb.lstrip("\ufeff"), "gb18030")
    found = _lenient(body, "utf-8") or _lenient(body, "gb18030")
    if found:
        return found
    if not declared:
        text = _strict(body, "cp1252")
        if text is not None:
            return Decoded(text.lstrip("\ufeff"), "cp1252")
    return _undecodable(declared + ["utf-8", "gb18030"])


def _undecodable(tried: list[str]):
    raise UndecodableError(f"no decoding among {list(dict.fromkeys(tried))} gives text with only a few bytes replaced")


def _lenient(body: bytes, codec: str, name: str | None = None) -> Decoded | None:
    """`body` in `codec` with damaged sequences replaced, when they are few (and, for GB18030, the text is Han)."""
    try:
        text = body.decode(codec, "replace")
    except LookupError:
        return None
    replaced = text.count("\ufffd") - _count_ufffd_literals(body, codec)
    if codec == "gb18030" and not _reads_as_chinese(text):
        return None  # any byte soup decodes as GB18030; only Han text makes it the right reading
    if replaced > min(MAX_REPLACED, MAX_REPLACED_SHARE * len(text)):
        return None
    return Decoded(text.lstrip("\ufeff").replace("\ufffd", ""), name or codec, replaced)


def _count_ufffd_literals(body: bytes, codec: str) -> int:
    """U+FFFD characters the page itself holds (encoded in `codec`): not replacements."""
    try:
        return body.count("\ufffd".encode(codec))
    except (UnicodeEncodeError, LookupError):
        return 0


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(("cp125", "iso8859", "latin", "windows", "mac"))


def _reads_as_chinese(text: str) -> bool:
    """Whether a GB18030 reading is Chinese text rather than byte soup: most of its non-ASCII characters are
    Han, and most of those are GB2312's common characters (both bytes 0xA1 or above). Latin-1 text read as GBK
    also comes out Han ("ö" + "f" is a valid pair), but as rare GBK extension characters whose second byte is
    the ASCII letter after the accent."""
    non_ascii = [c for c in text if ord(c) > 127]
    han = [c for c in non_ascii if "\u4e00" <= c <= "\u9fff"]
    if not non_ascii or len(han) <= 0.3 * len(non_ascii):
        return False
    return sum(1 for c in han if _in_gb2312(c)) >= 0.5 * len(han)


def _in_gb2312(character: str) -> bool:
    try:
        character.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True

