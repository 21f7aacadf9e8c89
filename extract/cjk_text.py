"""Whether a reading of a page in a CJK codec is text in that codec's language, or byte soup.

The legacy CJK codecs accept most byte strings, so decoding without error proves little: Big5 bytes read as GBK,
GBK bytes read as Big5 or Shift_JIS bytes read as GB18030 decode cleanly into real, but wrong, characters. What
gives a wrong reading away is which characters it holds. Real prose draws nearly all its characters from the
common set its national standard put first, while a wrong reading scatters over the whole table, into rare
characters, private-use codes and other scripts:

* Chinese (GB18030, Big5-HKSCS): GB2312 level 1 (the 3,755 common Simplified characters) together with Big5
  level 1 (0xA440–0xC67E, the 5,401 common Traditional ones), so that Traditional text in GBK and Simplified
  characters shared by both stay plausible;
* Japanese (Shift_JIS, EUC-JP): kana and JIS X 0208 level 1 (2,965 common kanji);
* Korean (EUC-KR/UHC): the 2,350 Hangul syllables of KS X 1001.

Latin letters, digits, punctuation and symbols say nothing either way and are not counted; replacement,
private-use, control and unassigned characters count against the reading. Real pages score 0.95 and more (names
and rare characters make up the rest); wrong readings score well under 0.8.

One wrong reading draws on the common set all the same: Korean Hangul in EUC-KR occupies the very codes of GB2312
level 1, so it reads as common Simplified characters. But Korean separates its words with spaces and Chinese and
Japanese do not: in a Chinese or Japanese reading, the share of letters followed by a space and another letter
is taken off the score.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache

CJK_CODECS = ("gb18030", "big5hkscs", "cp932", "euc_jp", "cp949")  # the order breaks ties
PLAUSIBLE_SHARE = 0.9
MIN_LETTERS = 8  # fewer CJK letters than this say too little to doubt a declared charset

_LANGUAGE = {"gb18030": "zh", "big5hkscs": "zh", "cp932": "ja", "shift_jis": "ja", "euc_jp": "ja",
             "cp949": "ko", "euc_kr": "ko"}
SAMPLE_CHARACTERS = 3000  # of the page's non-ASCII text: a wrong reading is wrong throughout
# Every ASCII run but a single space becomes "|": what is left is the non-ASCII text and the spaces inside it.
_ASCII_BUT_ONE_SPACE = re.compile(r"[\x00-\x1f\x21-\x7f][\x00-\x7f]*| {2,}")
_SPACED = re.compile(r"([^\x00-\x7f]) (?=([^\x00-\x7f]))")  # a letter, a space, a letter
_BAD_CATEGORIES = {"Co", "Cn", "Cs", "Cc"}


def is_cjk_codec(codec: str) -> bool:
    return codec in _LANGUAGE


def common_share(text: str, codec: str) -> tuple[int, float]:
    """(letters counted, share of them in the common set of ``codec``'s language) for a reading ``text``."""
    language = _LANGUAGE[codec]
    common_set = _common_characters(language)
    sample = _ASCII_BUT_ONE_SPACE.sub("|", text)[:SAMPLE_CHARACTERS]
    common = counted = 0
    for character, times in Counter(sample).items():
        kind = _kind(character)
        if kind is None:
            continue
        counted += times
        if kind and character in common_set:
            common += times
    if not counted:
        return 0, 0.0
    spaced = 0 if language == "ko" else sum(1 for pair in _SPACED.findall(sample) if _kind(pair[0]) and _kind(pair[1]))
    return counted, max(0.0, (common - spaced) / counted)


def is_plausible(text: str, codec: str) -> bool:
    """Enough CJK letters, nearly all of them common ones: the reading is text in ``codec``'s language."""
    counted, share = common_share(text, codec)
    return counted >= MIN_LETTERS and share >= PLAUSIBLE_SHARE


def is_doubtful(text: str, codec: str) -> bool:
    """Enough CJK letters to judge, and too many rare ones: the reading is probably in the wrong codec."""
    counted, share = common_share(text, codec)
    return counted >= MIN_LETTERS and share < PLAUSIBLE_SHARE


@cache
def _kind(character: str) -> bool | None:
    """None: says nothing (Latin, digits, punctuation, symbols); False: counts against; True: a letter to check."""
    if character == "\ufffd":
        return False
    category = unicodedata.category(character)
    if category in _BAD_CATEGORIES:
        return False
    code = ord(character)
    if not category.startswith("L") or code < 0x250 or 0x1E00 <= code <= 0x1EFF or 0xFF21 <= code <= 0xFF5A:
        return None  # Latin (accents, pinyin tones, fullwidth) appears beside CJK in real pages
    if 0x3000 <= code <= 0x303F:
        return None  # CJK symbols and punctuation, iteration marks
    return True


@cache
def _common_characters(language: str) -> frozenset[str]:
    if language == "zh":
        return _table("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)) | _table(
            "big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)], last=0xC67E)
    if language == "ja":
        kana = {chr(c) for c in [*range(0x3041, 0x3097), *range(0x309D, 0x309F), *range(0x30A1, 0x30FB),
                                 *range(0x30FC, 0x30FF)]}
        return _table("euc_jp", range(0xB0, 0xD0), range(0xA1, 0xFF)) | kana
    return _table("euc_kr", range(0xB0, 0xC9), range(0xA1, 0xFF))


def _table(codec: str, leads, trails, last: int = 0xFFFF) -> frozenset[str]:
    """The characters of the two-byte codes ``lead trail`` of ``codec`` (up to ``last``)."""
    found = set()
    for lead in leads:
        for trail in trails:
            if (lead << 8 | trail) > last:
                continue
            try:
                found.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                pass
    return frozenset(found)
