"""Language of an article, decided from its body text (never from the page or the headline: ISIT pages have a
Thai headline over an English body).

Scripts decide first, because statistical identifiers are weak on short CJK text and cannot tell Simplified
from Traditional: Hangul → ko, Kana → ja, Thai → th, Han → zh-Hans or zh-Hant by whether OpenCC's tables list more of its
characters as traditional-only or as simplified-only. Everything else goes to py3langid. Both libraries load lazily, once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_SAMPLE = 3000  # characters: enough for a stable decision, cheap for long articles


@lru_cache(maxsize=1)
def _script_only_characters() -> tuple[frozenset[str], frozenset[str]]:
    """(traditional-only, simplified-only) characters from OpenCC's character tables, read once.

    Counting these is what an OpenCC t2s/s2t round would measure, at set-lookup cost instead of its
    pure-Python phrase matcher (which was most of the extractor's run time).
    """
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"

    def changed(name: str) -> set[str]:
        keys = set()
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            source, _, targets = line.partition("\t")
            if targets and targets.split()[0] != source:
                keys.add(source)
        return keys

    traditional, simplified = changed("TSCharacters.txt"), changed("STCharacters.txt")
    both = traditional & simplified
    return frozenset(traditional - both), frozenset(simplified - both)


@lru_cache(maxsize=1)
def _langid():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)  # a private instance: nobody else can set_languages() on it


_SCRIPTS = {
    "han": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+"),
    "kana": re.compile(r"[\u3040-\u30ff]+"),
    "hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff]+"),
    "thai": re.compile(r"[\u0e00-\u0e7f]+"),
}
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def _script_counts(text: str) -> dict[str, int]:
    """Characters of each script, and other letters; counted as what removing them takes off the length."""
    counts = {name: len(text) - len(pattern.sub("", text)) for name, pattern in _SCRIPTS.items()}
    counts["letters"] = len(_NOT_LETTERS.sub("", text)) - sum(counts.values())
    return counts


def chinese_script(text: str) -> str:
    """'zh-Hant' when more characters are traditional-only than simplified-only, else 'zh-Hans'."""
    traditional_only, simplified_only = _script_only_characters()
    traditional = sum(1 for ch in text if ch in traditional_only)
    simplified = sum(1 for ch in text if ch in simplified_only)
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def load_models() -> None:
    """Load both libraries' tables now: a process pool calls this before it forks, so its workers share them
    instead of each paying about half a second of CPU on its first non-CJK article."""
    _script_only_characters()
    _langid()


def detect_language(text: str) -> str | None:
    sample = text[:_SAMPLE]
    counts = _script_counts(sample)
    total = sum(counts.values())
    if total < 10:
        return None
    if counts["hangul"] > 0.3 * total:
        return "ko"
    if counts["kana"] > 0.1 * total:
        return "ja"
    if counts["thai"] > 0.3 * total:
        return "th"
    if counts["han"] > 0.3 * total:
        return chinese_script(sample)
    lang, _ = _langid().classify(sample[:1000])
    return lang
