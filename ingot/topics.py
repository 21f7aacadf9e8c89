"""Topic tags (commodities and themes) from a vocabulary file analysts can extend: vocabulary/topics.yaml.

Matching rules, chosen so that a term list stays plain data:
- Chinese terms match as substrings after both sides are folded to Simplified (write them in either script).
  Thai terms match as substrings (Thai has no spaces between words).
- Latin-script terms (en, fr) match whole words, case- and accent-insensitively; a space in a term matches any
  run of spaces or hyphens ("low carbon" finds "low-carbon"); a trailing * matches any word ending ("recycl*").
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
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingot.paths import PROJECT_ROOT
from ingot.search import fold_chinese

DEFAULT_VOCABULARY = PROJECT_ROOT / "vocabulary" / "topics.yaml"
LANGUAGE_KEYS = ("zh", "en", "fr", "th")
TOPIC_KEYS = frozenset({"kind", "label", "exclude", "min_mentions", *LANGUAGE_KEYS})


@dataclass(frozen=True)
class Topic:
    key: str
    kind: str
    substrings: tuple[str, ...]  # folded Chinese and Thai terms
    words: dict[str, tuple[re.Pattern, ...]]  # language -> whole-word patterns
    exclude: tuple[str, ...] = ()
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
        unknown = set(spec or {}) - TOPIC_KEYS
        if unknown:
            raise ValueError(f"topics.{key}: unknown keys {sorted(unknown)}; allowed: {sorted(TOPIC_KEYS)}")
        spec = spec or {}
        topics.append(
            Topic(
                key=str(key),
                kind=str(spec.get("kind", "theme")),
                substrings=tuple(fold_chinese(t) for t in [*spec.get("zh", []), *spec.get("th", [])]),
                words={lang: tuple(word_pattern(t) for t in spec.get(lang, [])) for lang in ("en", "fr")},
                exclude=tuple(fold_chinese(t) for t in spec.get("exclude", [])),
                min_mentions=int(spec.get("min_mentions", 1)),
            )
        )
    return Vocabulary(version, tuple(topics))


def fold_latin(text: str) -> str:
    """Accents off Latin letters (é → e); Thai and other combining marks are kept."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not "\u0300" <= ch <= "\u036f"))


def word_pattern(term: str) -> re.Pattern:
    term = fold_latin(term.strip())
    prefix = term.endswith("*")
    words = [re.escape(w) for w in term.rstrip("*").replace("-", " ").split()]
    body = r"[\s\-]+".join(words) + (r"\w*" if prefix else "")
    flags = 0 if term.rstrip("*").isupper() else re.IGNORECASE
    return re.compile(rf"(?<!\w){body}(?!\w)", flags)


def topics_for(text: str, title: str, language: str | None, vocabulary: Vocabulary) -> list[str]:
    """Keys of the vocabulary's topics found in an article, in vocabulary order."""
    folded = fold_chinese(f"{title or ''}\n{text or ''}")
    latin = fold_latin(folded)
    base = (language or "").split("-")[0].lower()
    languages = ("en",) if base in ("zh", "en", "th") else ("en", "fr")
    found = []
    for topic in vocabulary.topics:
        if mentions(topic, folded, latin, languages) >= topic.min_mentions:
            found.append(topic.key)
    return found


def mentions(topic: Topic, folded: str, latin: str, languages: tuple[str, ...]) -> int:
    for phrase in topic.exclude:
        folded = folded.replace(phrase, " ")
        latin = re.sub(re.escape(fold_latin(phrase)), " ", latin, flags=re.IGNORECASE)
    count = sum(folded.count(term) for term in topic.substrings)
    for lang in languages:
        count += sum(len(pattern.findall(latin)) for pattern in topic.words.get(lang, ()))
    return count
