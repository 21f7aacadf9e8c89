"""Topic tags (commodities and themes) from a vocabulary file analysts can extend: vocabulary/topics.yaml.

Matching rules, chosen so that a term list stays plain data:
- Chinese terms match as substrings after both sides are folded to Simplified (write them in either script).
  Thai terms match as substrings (Thai has no spaces between words).
- Latin-script terms (en, fr) match whole words, case- and accent-insensitively; words are runs of letters and
  digits, so "low carbon" also finds "low-carbon" and "quotas d'émission" finds "quotas d’émission"; a trailing *
  matches any word ending ("recycl*").
  A term written in capitals (an acronym: "CBAM", "ESG") matches only in capitals. French terms apply to French
  articles and articles of unknown language; English terms apply to every article (English names and acronyms
  appear everywhere).
- ``exclude`` phrases are blanked out before a topic's terms are looked for: 无锡 (a city) is not tin.
- A topic is tagged when its terms occur at least ``min_mentions`` times (default 1) in the title and text.

``topics_for`` is pure; ``load_vocabulary`` is the one function that reads the file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingot.paths import PROJECT_ROOT
from ingot.search import fold_chinese

DEFAULT_VOCABULARY = PROJECT_ROOT / "vocabulary" / "topics.yaml"
LANGUAGE_KEYS = ("zh", "en", "fr", "th")
TOPIC_KEYS = frozenset({"kind", "label", "exclude", "min_mentions", *LANGUAGE_KEYS})


WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    """A Latin-script term as a sequence of words; ``prefix``: its last word may go on; ``exact``: acronym case."""

    words: tuple[str, ...]
    prefix: bool = False
    exact: bool = False


@dataclass(frozen=True)
class Topic:
    key: str
    kind: str
    substrings: tuple[str, ...]  # folded Chinese and Thai terms
    terms: dict[str, tuple[Term, ...]]  # language -> Latin-script terms
    exclude: tuple[str, ...] = ()  # folded phrases, blanked out before Chinese and Thai terms are counted
    latin_exclude: re.Pattern | None = None  # the Latin-script ones, blanked out before words are counted
    min_mentions: int = 1


@dataclass(frozen=True)
class Vocabulary:
    version: str
    topics: tuple[Topic, ...]


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    path = path or DEFAULT_VOCABULARY
    data = path.read_bytes()
    try:
        return parse_vocabulary(yaml.safe_load(data), hashlib.sha256(data).hexdigest()[:16])
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def parse_vocabulary(document: dict, version: str) -> Vocabulary:
    if not isinstance(document, dict) or not isinstance(document.get("topics"), dict):
        raise ValueError("expected a mapping with a 'topics' mapping")
    topics = []
    for key, spec in document["topics"].items():
        spec = spec or {}
        unknown = set(spec) - TOPIC_KEYS
        if unknown:
            raise ValueError(f"topics.{key}: unknown keys {sorted(unknown)}; allowed: {sorted(TOPIC_KEYS)}")
        exclude = tuple(fold_chinese(str(t)) for t in spec.get("exclude", []))
        topics.append(
            Topic(
                key=str(key),
                kind=str(spec.get("kind", "theme")),
                substrings=tuple(fold_chinese(str(t)) for t in [*spec.get("zh", []), *spec.get("th", [])]),
                terms={lang: tuple(parse_term(str(t)) for t in spec.get(lang, [])) for lang in ("en", "fr")},
                exclude=exclude,
                latin_exclude=exclude_pattern(exclude),
                min_mentions=int(spec.get("min_mentions", 1)),
            )
        )
    return Vocabulary(version, tuple(topics))


def fold_latin(text: str) -> str:
    """Accents off Latin letters (é → e); Thai and other combining marks are kept."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not "\u0300" <= ch <= "\u036f"))


def exclude_pattern(phrases: tuple[str, ...]) -> re.Pattern | None:
    latin = [fold_latin(p).split() for p in phrases if re.search("[A-Za-z]", fold_latin(p))]
    if not latin:
        return None
    return re.compile("|".join(r"[\s\-]+".join(map(re.escape, words)) for words in latin), re.IGNORECASE)


def parse_term(term: str) -> Term:
    bare = fold_latin(term.strip()).rstrip("*")
    exact = bare.isupper()
    words = tuple(WORD.findall(bare if exact else bare.lower()))
    if not words:
        raise ValueError(f"term {term!r} has no letters")
    return Term(words, prefix=term.strip().endswith("*"), exact=exact)


class WordCounts:
    """How often each run of 1..n words occurs in a text (lower-cased and as written), for term lookups."""

    def __init__(self, text: str):
        self.words = {False: [w.lower() for w in WORD.findall(text)], True: WORD.findall(text)}
        self.counts: dict[tuple[bool, int], Counter] = {}
        self.sorted: dict[tuple[bool, int], list[tuple[str, ...]]] = {}

    def _counter(self, exact: bool, n: int) -> Counter:
        if (exact, n) not in self.counts:
            words = self.words[exact]
            self.counts[exact, n] = Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
        return self.counts[exact, n]

    def count(self, term: Term) -> int:
        counter = self._counter(term.exact, len(term.words))
        if not term.prefix:
            return counter.get(term.words, 0)
        keys = self.sorted.get((term.exact, len(term.words)))
        if keys is None:
            keys = self.sorted[term.exact, len(term.words)] = sorted(counter)
        total, i = 0, bisect_left(keys, term.words)
        while i < len(keys) and keys[i][:-1] == term.words[:-1] and keys[i][-1].startswith(term.words[-1]):
            total += counter[keys[i]]
            i += 1
        return total


def topics_for(text: str, title: str, language: str | None, vocabulary: Vocabulary) -> list[str]:
    """Keys of the vocabulary's topics found in an article, in vocabulary order."""
    folded = fold_chinese(f"{title or ''}\n{text or ''}")
    words = WordCounts(fold_latin(folded))
    base = (language or "").split("-")[0].lower()
    languages = ("en",) if base in ("zh", "en", "th") else ("en", "fr")
    return [topic.key for topic in vocabulary.topics
            if mentions(topic, folded, words, languages) >= topic.min_mentions]


def mentions(topic: Topic, folded: str, words: WordCounts, languages: tuple[str, ...]) -> int:
    if topic.latin_exclude is not None and topic.latin_exclude.search(fold_latin(folded)):
        words = WordCounts(topic.latin_exclude.sub(" ", fold_latin(folded)))
    for phrase in topic.exclude:
        folded = folded.replace(phrase, " ")
    count = sum(folded.count(term) for term in topic.substrings)
    return count + sum(words.count(term) for lang in languages for term in topic.terms.get(lang, ()))
