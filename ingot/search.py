"""Search documents for every language we collect, on core PostgreSQL only.

Postgres's parsers do nothing useful with Chinese or Thai (no spaces between words), and the embedded server has
no segmentation extension, so Han and Thai runs become overlapping character bigrams, indexed with their
positions so that a query word becomes a phrase of adjacent bigrams. Each run also ends with its last
character alone, so that a one-character query ('铝:*' as a prefix) finds every occurrence. Traditional
characters are folded to Simplified, character by character, with OpenCC's table; the SQL function
``fold_chinese`` (sql/migrations/0021) embeds the same table so that queries typed in psql fold identically.
Latin-script text goes to Postgres's own stemmers ('french', 'english').

Everything here is pure except ``fetch_search_results``, the one function that asks the database.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import psycopg

from ingot.errors import SearchQueryError

# Han (CJK unified ideographs, extension A, compatibility, extensions B and later) and Thai script runs.
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
THAI_RANGE = "\u0e00-\u0e7f"
NGRAM_RUN = re.compile(f"[{HAN_RANGES}]+|[{THAI_RANGE}]+")
MAX_POSITION = 16383  # Postgres caps tsvector positions here
MAX_POSITIONS_PER_LEXEME = 256  # and keeps this many per lexeme

# A query's work grows with its length; longer ones are refused here and by the SQL function (sql/migrations/0044,
# which must agree), so that a pasted document cannot keep the server busy.
MAX_QUERY_CHARS = 1000
MAX_QUERY_WORDS = 64

# Latin-script text is stemmed with the article's own language; Latin words inside Chinese or Thai articles
# are nearly always English (names, acronyms, units). Queries try every config in QUERY_CONFIGS.
STEMMING_CONFIGS = {"fr": "french", "en": "english"}
NON_LATIN_LANGUAGES = ("zh", "th", "ja", "ko")


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


def ngram_terms(run: str) -> list[str]:
    """Overlapping bigrams of one Han or Thai run, then its last character alone."""
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


@dataclass(frozen=True)
class SearchParts:
    """One field's search material: n-gram lexemes in order, and the Latin-script rest for a stemmer."""

    ngrams: list[str]
    latin: str


def search_parts(text: str) -> SearchParts:
    folded = fold_chinese(text or "")
    ngrams: list[str] = []
    for match in NGRAM_RUN.finditer(folded):
        ngrams.extend(ngram_terms(match.group()))
    return SearchParts(ngrams, NGRAM_RUN.sub(" ", folded))


def tsvector_literal(terms: list[str]) -> str:
    """The text form of a tsvector holding ``terms`` at positions 1..n (no parser involved)."""
    positions: dict[str, list[int]] = {}
    for position, term in enumerate(terms, 1):
        kept = positions.setdefault(term, [])
        position = min(position, MAX_POSITION)
        if len(kept) < MAX_POSITIONS_PER_LEXEME and (not kept or kept[-1] != position):
            kept.append(position)
    return " ".join(
        "'{}':{}".format(term.replace("\\", "\\\\").replace("'", "''"), ",".join(map(str, kept)))
        for term, kept in positions.items()
    )


def stemming_config(language: str | None) -> str:
    """The Postgres text search config for the Latin-script words of an article in ``language``."""
    base = (language or "").split("-")[0].lower()
    if base in STEMMING_CONFIGS:
        return STEMMING_CONFIGS[base]
    return "english" if base in NON_LATIN_LANGUAGES or not base else "simple"


@dataclass(frozen=True)
class SearchResult:
    rank: float
    article_id: int
    news_day: datetime.date
    published_at: datetime.datetime | None
    site: str
    title: str
    url: str
    language: str | None
    tags: list[str] | None


def check_query(query: str) -> None:
    """Refuse a query over ``MAX_QUERY_CHARS`` characters or ``MAX_QUERY_WORDS`` words, saying which."""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchQueryError(f"search query too long: {len(query)} characters (at most {MAX_QUERY_CHARS}); "
                               "search for fewer, more specific words")
    words = len(fold_chinese(query).split())
    if words > MAX_QUERY_WORDS:
        raise SearchQueryError(f"search query too long: {words} words (at most {MAX_QUERY_WORDS}); "
                               "search for fewer, more specific words")


def fetch_search_results(
    conn: psycopg.Connection,
    query: str,
    *,
    since: datetime.date | None = None,
    lang: str | None = None,
    max_results: int = 50,
) -> list[SearchResult]:
    check_query(query)
    rows = conn.execute(
        "SELECT rank, id, news_day, published_at, site, title, url, language, tags "
        "FROM search_articles(%s, %s, %s, %s)",
        (query, since, lang, max_results),
    ).fetchall()
    return [SearchResult(*row) for row in rows]


def format_result(result: SearchResult) -> str:
    """One line: day, site, title, URL (whitespace in titles flattened so one result is one line)."""
    title = " ".join(result.title.split())
    return f"{result.news_day.isoformat()}  {result.site}  {title}  {result.url}"
