"""Bytes → str, once and explicitly.

Chain: HTTP charset → <meta charset>/http-equiv → strict UTF-8 → the most plausible CJK reading. Every step
decodes *strictly*: a declared charset that does not fit the bytes (real pages lie) falls through to the next
step instead of producing U+FFFD. GB2312/GBK are read as GB18030 (its superset: pages labelled gb2312 routinely
use GBK characters), Big5 as Big5-HKSCS, Shift_JIS as windows-31j (cp932) and EUC-KR as UHC (cp949) for the
same reason.

Lies strict decoding cannot catch, because legacy codecs accept almost any byte string:
* bytes that are valid multi-byte UTF-8 but declared as a legacy charset: valid UTF-8 by accident is
  vanishingly rare for real text, so UTF-8 wins;
* CJK bytes declared as another CJK charset (Big5 as GBK, GBK as Big5, EUC-JP as GBK...) or as a single-byte
  charset (latin-1/cp1252): the declared reading decodes, into the wrong characters. ``cjk_text`` tells a reading
  that is text in its language (nearly all its characters in the common set of that language's standard) from
  one that is not; a declared CJK reading that is not, or a single-byte one, gives way to the CJK reading
  (GB18030, Big5-HKSCS, Shift_JIS, EUC-JP, EUC-KR) that is the most plausible. With none plausible, or too few
  CJK letters to judge (a short title), the declaration is believed. Accented Latin text read as GBK comes out
  as rare characters, so a latin-1 page stays latin-1.
* an undeclared page that is not UTF-8: the most plausible CJK reading, else windows-1252.

When no charset decodes strictly, a few damaged bytes do not cost the page: a UTF-8 page with a stray Latin-1
byte in a script, or a GBK page with one broken pair, decodes with those bytes left out (they carry no text),
and their count is returned (`Decoded.replaced`) for the caller to record. Only bytes that no charset reads as
text (binary data, a CJK reading that is soup, or more than `MAX_REPLACED_SHARE` of the characters replaced)
are `UndecodableError`.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

from .cjk_text import CJK_CODECS, MIN_LETTERS, PLAUSIBLE_SHARE, common_share, is_cjk_codec, is_doubtful

# Labels whose strict superset we decode with instead.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
    "euc-cn": "gb18030", "big5": "big5hkscs", "x-big5": "big5hkscs", "cp950": "big5hkscs",
    # WHATWG: Shift_JIS labels mean windows-31j, EUC-KR labels windows-949
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "csshiftjis": "cp932", "windows-31j": "cp932", "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
    "windows-949": "cp949", "cseuckr": "cp949",
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

    Order: BOM → strict UTF-8 (non-ASCII) → each declared charset strictly (a CJK reading that does not read as
    its language, or a single-byte one, gives way to a CJK reading that does) → each declared charset with a few
    bytes replaced → the most plausible strict CJK reading → UTF-8, then the most plausible CJK reading, with a
    few bytes replaced → for an undeclared page, windows-1252 (the web's default for unlabelled pages).
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
        if text is None:
            continue
        if _is_single_byte(codec) or (is_cjk_codec(codec) and is_doubtful(text, codec)):
            others = [c for c in CJK_CODECS if c != codec]
            found = _most_plausible(body, others) or _most_plausible(body, others, lenient=True)
            if found:
                return found
        return Decoded(text.lstrip("\ufeff"), codec)
    for codec in declared:
        found = _lenient(body, codec)
        if found:
            return found
    if as_utf8 is not None:
        return Decoded(as_utf8.lstrip("\ufeff"), "utf-8")
    found = (_most_plausible(body, CJK_CODECS) or _lenient(body, "utf-8")
             or _most_plausible(body, CJK_CODECS, lenient=True))
    if found:
        return found
    if not declared:
        text = _strict(body, "cp1252")
        if text is not None:
            return Decoded(text.lstrip("\ufeff"), "cp1252")
    return _undecodable(declared + ["utf-8", *CJK_CODECS])


def _most_plausible(body: bytes, candidates, *, lenient: bool = False) -> Decoded | None:
    """The reading, among the CJK codecs ``candidates``, that reads most as its language, if any is plausible."""
    best, best_share = None, 0.0
    for codec in candidates:
        if lenient:
            found = _lenient(body, codec)
        else:
            text = _strict(body, codec)
            found = Decoded(text.lstrip("\ufeff"), codec) if text is not None else None
        if found is None:
            continue
        counted, share = common_share(found.text, codec)
        if counted >= MIN_LETTERS and share >= PLAUSIBLE_SHARE and share > best_share:
            best, best_share = found, share
    return best


def _undecodable(tried: list[str]):
    raise UndecodableError(f"no decoding among {list(dict.fromkeys(tried))} gives text with only a few bytes replaced")


def _lenient(body: bytes, codec: str, name: str | None = None) -> Decoded | None:
    """`body` in `codec` with damaged sequences replaced, when they are few (and, for a CJK codec, the text does not
    read as byte soup: any bytes decode as GB18030 or Big5 with a few replacements)."""
    try:
        text = body.decode(codec, "replace")
    except LookupError:
        return None
    replaced = text.count("\ufffd") - _count_ufffd_literals(body, codec)
    if replaced > min(MAX_REPLACED, MAX_REPLACED_SHARE * len(text)):
        return None
    kept = text.lstrip("\ufeff").replace("\ufffd", "")
    if is_cjk_codec(codec) and (is_doubtful(kept, codec) or not common_share(kept, codec)[0]):
        return None
    return Decoded(kept, name or codec, replaced)


def _count_ufffd_literals(body: bytes, codec: str) -> int:
    """U+FFFD characters the page itself holds (encoded in `codec`): not replacements."""
    try:
        return body.count("\ufffd".encode(codec))
    except (UnicodeEncodeError, LookupError):
        return 0


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(("cp125", "iso8859", "latin", "windows", "mac"))
