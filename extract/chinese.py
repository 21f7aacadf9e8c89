"""Traditional Chinese folded to Simplified, character by character, with OpenCC's table: what search indexes and
queries (ingot.search, and the SQL function fold_chinese that embeds the same table) and what duplicate detection
hashes (extract.dedupe), so that a Traditional copy of a Simplified story is the same text to both.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def fold_table() -> dict[str, str]:
    """Traditional → Simplified, one character to one, from OpenCC's TSCharacters (first candidate).

    Chains are followed to their end so that folding twice changes nothing (an idempotent fold is what lets
    the index and the query meet).
    """
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    first: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        candidates = targets.split()
        if len(source) == 1 and candidates and len(candidates[0]) == 1 and candidates[0] != source:
            first[source] = candidates[0]
    table = {}
    for source, target in first.items():
        seen = {source}
        while target in first and target not in seen:
            seen.add(target)
            target = first[target]
        if target != source:
            table[source] = target
    return table


@lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    return str.maketrans(fold_table())


def fold_chinese(text: str) -> str:
    """NFKC, then Traditional characters replaced by Simplified ones; other scripts unchanged."""
    return unicodedata.normalize("NFKC", text).translate(_translation())
