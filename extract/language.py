"""Language of an article, decided from its body text (never from the page or the headline: ISIT pages have a
Thai headline over an English body).

Scripts decide first, because statistical identifiers are weak on short CJK text and cannot tell Simplified
from Traditional: Hangul → ko, Kana → ja, Thai → th, Han → zh-Hans or zh-Hant by which direction of an OpenCC
conversion changes more characters. Everything else goes to py3langid. Both libraries load lazily, once.
"""

from __future__ import annotations

from functools import lru_cache

_SAMPLE = 3000  # characters: enough for a stable decision, cheap for long articles


@lru_cache(maxsize=1)
def _converters():
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


@lru_cache(maxsize=1)
def _langid():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)  # a private instance: nobody else can set_languages() on it


def _script_counts(text: str) -> dict[str, int]:
    counts = {"han": 0, "kana": 0, "hangul": 0, "thai": 0, "letters": 0}
    for ch in text:
        code = ord(ch)
        if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            counts["han"] += 1
        elif 0x3040 <= code <= 0x30FF:
            counts["kana"] += 1
        elif 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF:
            counts["hangul"] += 1
        elif 0x0E00 <= code <= 0x0E7F:
            counts["thai"] += 1
        elif ch.isalpha():
            counts["letters"] += 1
    return counts


def chinese_script(text: str) -> str:
    """'zh-Hant' when more characters are traditional-only than simplified-only, else 'zh-Hans'."""
    t2s, s2t = _converters()
    han = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")[:_SAMPLE]
    traditional = sum(a != b for a, b in zip(han, t2s.convert(han)))
    simplified = sum(a != b for a, b in zip(han, s2t.convert(han)))
    return "zh-Hant" if traditional > simplified else "zh-Hans"


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
    lang, _ = _langid().classify(sample)
    return lang
