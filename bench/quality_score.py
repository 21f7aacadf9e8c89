"""Scoring of extracted articles against gold, exactly as ``../shared/devbench/README.md`` describes it.

Pure functions, one per measure:

* body: NFKC, lower-case, tokens (every Han, kana, Thai, Lao, Myanmar and Khmer character is one token; other
  scripts are words, punctuation dropped), precision / recall / F1 over multisets of 4-token shingles; an empty
  prediction scores 0 (a text of fewer than 4 tokens is one shingle of all of them);
* snippets: a ``with`` snippet found is a true positive, missing a false negative, a ``without`` snippet found a
  false positive; matching ignores case and all whitespace;
* title: equal after normalisation; date: the same calendar day as written; authors: set F1 over normalised
  names, a name matching another on equality or containment.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

SHINGLE = 4
# Scripts whose every character is one token: CJK ideographs (with extensions and compatibility forms),
# hiragana, katakana, Thai, Lao, Myanmar, Khmer.
_CHAR_TOKEN = (
    "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # Han
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff"  # Thai, Lao, Myanmar, Khmer
)
_TOKEN = re.compile(rf"[{_CHAR_TOKEN}]|[^\W{_CHAR_TOKEN}]+")  # \W is punctuation, symbols and spaces; _ below


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float


def normalise(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str | None) -> list[str]:
    return [t for t in _TOKEN.findall(normalise(text).replace("_", " ")) if t]


def shingles(text: str | None, size: int = SHINGLE) -> Counter:
    words = tokens(text)
    if not words:
        return Counter()
    if len(words) < size:
        return Counter([tuple(words)])
    return Counter(tuple(words[i:i + size]) for i in range(len(words) - size + 1))


def _prf(true_positive: float, predicted: float, expected: float) -> PRF:
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1)


def body_score(predicted: str | None, gold: str | None) -> PRF:
    """Shingle precision, recall and F1 of one page's body text."""
    mine, theirs = shingles(predicted), shingles(gold)
    if not mine or not theirs:
        return PRF(0.0, 0.0, 0.0)
    common = sum((mine & theirs).values())
    return _prf(common, sum(mine.values()), sum(theirs.values()))


def _squeezed(text: str | None) -> str:
    return "".join((text or "").lower().split())


@dataclass(frozen=True)
class SnippetCounts:
    true_positive: int = 0
    false_negative: int = 0
    false_positive: int = 0
    missed: tuple[str, ...] = ()  # the `with` snippets not found
    leaked: tuple[str, ...] = ()  # the `without` snippets found

    def __add__(self, other: "SnippetCounts") -> "SnippetCounts":
        return SnippetCounts(self.true_positive + other.true_positive, self.false_negative + other.false_negative,
                             self.false_positive + other.false_positive, self.missed + other.missed,
                             self.leaked + other.leaked)

    def score(self) -> PRF:
        return _prf(self.true_positive, self.true_positive + self.false_positive,
                    self.true_positive + self.false_negative)


def snippet_counts(predicted: str | None, with_: list[str], without: list[str]) -> SnippetCounts:
    body = _squeezed(predicted)
    missed = tuple(s for s in with_ if _squeezed(s) not in body)
    leaked = tuple(s for s in without if _squeezed(s) and _squeezed(s) in body)
    return SnippetCounts(len(with_) - len(missed), len(missed), len(leaked), missed, leaked)


def _normal_name(text: str | None) -> str:
    return " ".join(normalise(text).split())


def title_exact(predicted: str | None, gold: str | None) -> bool:
    return bool(gold) and _normal_name(predicted) == _normal_name(gold)


def same_day(predicted: str | None, gold: str | None) -> bool:
    """Whether an ISO date or datetime falls on the gold's calendar day, read as written (no zone shift)."""
    return bool(predicted and gold) and predicted[:10] == gold[:10]


def authors_f1(predicted: list[str] | tuple[str, ...], gold: list[str]) -> float:
    mine = [n for n in dict.fromkeys(map(_normal_name, predicted)) if n]
    theirs = [n for n in dict.fromkeys(map(_normal_name, gold)) if n]
    if not mine or not theirs:
        return 1.0 if not mine and not theirs else 0.0

    def matches(a: str, b: str) -> bool:
        return a == b or a in b or b in a

    hits_mine = sum(1 for a in mine if any(matches(a, b) for b in theirs))
    hits_theirs = sum(1 for b in theirs if any(matches(a, b) for a in mine))
    precision, recall = hits_mine / len(mine), hits_theirs / len(theirs)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
