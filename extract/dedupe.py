"""Duplicate detection, pure part: a normalised-text hash for exact copies and a 64-bit SimHash for
near-copies (syndication across sites with different headers and footers).

Shingles are character 4-grams for CJK/Thai text (no spaces between words) and word 3-grams otherwise; Chinese is
hashed in Simplified characters (extract.chinese).
Hashes use blake2b, never Python's salted hash(), so fingerprints agree across processes and can be stored
(as a signed BIGINT via `fingerprint_to_int64`).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from .chinese import fold_chinese

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_NO_SPACE_SCRIPTS = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
NEAR_DUPLICATE_SIMILARITY = 0.85  # ≤ 9 of 64 bits differ


@lru_cache(maxsize=4)  # an article's text is hashed twice, for its SHA-256 and for its SimHash
def normalised_text(text: str) -> str:
    """NFKC, Traditional Chinese folded to Simplified, case-folded, whitespace collapsed: the form that is hashed,
    so that a Traditional copy of a Simplified story is an exact or near copy of it."""
    return " ".join(fold_chinese(text).casefold().split())


def text_sha256(text: str) -> str:
    return hashlib.sha256(normalised_text(text).encode("utf-8")).hexdigest()


def shingles(text: str) -> list[str]:
    """Character 4-grams of a text mostly in scripts written without spaces, else word 3-grams; a text shorter
    than one shingle is its own."""
    norm = normalised_text(text)
    no_space = len(norm) - len(_NO_SPACE_SCRIPTS.sub("", norm))
    if no_space > 0.3 * max(1, len(norm) - norm.count(" ")):
        chars = _NON_WORD.sub("", norm)
        return [chars[i:i + 4] for i in range(len(chars) - 3)] or [chars]
    words = _NON_WORD.sub(" ", norm).split()
    return list(map(" ".join, zip(words, words[1:], words[2:]))) or [" ".join(words)]


def simhash(text: str) -> int:
    """64-bit SimHash over the text's shingles (each distinct shingle counted once)."""
    import numpy as np  # vectorised bit counting: the pure-Python loop cost ~20 ms per article

    unique = set(shingles(text))  # in any order: the weights are sums
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(s.encode("utf-8"), digest_size=8).digest() for s in unique])
    # each shingle's hash is its 8-byte digest read as a big-endian integer: the last byte holds bits 0-7
    rows = np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8)[:, ::-1]
    bits = np.unpackbits(rows, axis=1, bitorder="little")  # column j = bit j
    weights = 2 * bits.sum(axis=0, dtype=np.int64) - len(unique)
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def fingerprint_to_int64(fingerprint: int) -> int:
    """The unsigned 64-bit fingerprint as a signed value that fits Postgres BIGINT."""
    return fingerprint - (1 << 64) if fingerprint >= 1 << 63 else fingerprint


def similarity(a: int, b: int) -> float:
    """1.0 for identical fingerprints, about 0.5 for unrelated texts."""
    return 1.0 - bin((a ^ b) & ((1 << 64) - 1)).count("1") / 64


def is_near_duplicate(text_a: str, text_b: str, threshold: float = NEAR_DUPLICATE_SIMILARITY) -> bool:
    return similarity(simhash(text_a), simhash(text_b)) >= threshold
