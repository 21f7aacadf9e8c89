"""Search documents for every language we collect, on core PostgreSQL only.

Postgres's parsers do nothing useful with Chinese or Thai (no spaces between words), and the embedded server has
no segmentation extension, so Han and Thai runs become overlapping character bigrams, indexed with their
positions so that a query word becomes a phrase of adjacent bigrams. Each run also ends with its last
character alone, so that a one-character query ('铝:*' as a prefix) finds every occurrence. Traditional
characters are folded to Simplified, character by character, with OpenCC's table (extract.chinese, which
duplicate detection shares); the SQL function ``fold_chinese`` (sql/migrations/0021) embeds the same table so that
queries typed in psql fold identically.
Latin-script text goes to Postgres's own stemmers ('french', 'english') through ``latin_document``
(sql/migrations/0070), which also folds accents and keeps words in capitals that a stop-word list would drop.

Everything here is pure except ``fetch_search_results``, the one function that asks the database.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import psycopg

from extract.chinese import fold_chinese, fold_table  # noqa: F401 (the fold search shares with dedupe)
from ingot.errors import IngotError

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


# Latin letters (Latin-1 Supplement, Extended-A/B/C/D, Extended Additional) folded to an ASCII base letter.
LATIN_RANGES = ((0x00C0, 0x0250), (0x1E00, 0x1F00), (0x2C60, 0x2C80), (0xA720, 0xA800))
# Letters with no decomposition that readers still see as an accented base letter.
UNDECOMPOSED_LETTERS = {"ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "ħ": "h", "Ħ": "H",
                        "ŧ": "t", "Ŧ": "T"}
LIGATURES = (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"))
COMBINING_MARKS = re.compile("[\u0300-\u036f]+")


@lru_cache(maxsize=1)
def accent_table() -> dict[str, str]:
    """Accented Latin letter → its base letter, from Unicode's decompositions (é → e, ç → c, ǖ → u).

    The SQL function ``fold_accents`` (sql/migrations/0070) embeds the same table; tests/analysts check they agree."""
    table = {}
    for first, last in LATIN_RANGES:
        for code in range(first, last):
            char = chr(code)
            if unicodedata.category(char) not in ("Lu", "Ll", "Lt"):
                continue
            base = UNDECOMPOSED_LETTERS.get(char) or "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            if base != char and len(base) == 1 and base.isascii() and base.isalpha():
                table[char] = base
    return table


@lru_cache(maxsize=1)
def _accent_translation() -> dict[int, str]:
    return str.maketrans(accent_table())


def fold_accents(text: str) -> str:
    """Latin letters without their accents (é → e, ø → o, œ → oe), leftover combining marks dropped."""
    folded = text.translate(_accent_translation())
    for ligature, letters in LIGATURES:
        folded = folded.replace(ligature, letters)
    return COMBINING_MARKS.sub("", folded)


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


class SearchUnavailable(IngotError):
    """The database has no search schema yet, or refused the request (a query too long, a bad option)."""

    exit_code = 2


ORDERS = ("relevance", "date")


@dataclass(frozen=True)
class SearchRequest:
    """The parameters of ``news.search_articles``; empty tuples mean no filter."""

    query: str
    since: datetime.date | None = None
    until: datetime.date | None = None
    sites: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    every_copy: bool = False
    order_by: str = "relevance"
    max_results: int = 20
    skip: int = 0


@dataclass(frozen=True)
class SearchResult:
    """One story (or, with every_copy, one article) as search_articles returns it."""

    rank: float
    article_id: int
    cluster_id: int
    news_day: datetime.date | None
    published_at: datetime.datetime | None
    site: str
    title: str
    url: str
    language: str | None
    tags: list[str] | None
    copies: int
    sites: list[str]
    matched_copies: int
    snippet: str | None


def check_query(query: str) -> None:
    """Refuse a query over ``MAX_QUERY_CHARS`` characters or ``MAX_QUERY_WORDS`` words, saying which."""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchUnavailable(f"search query too long: {len(query)} characters (at most {MAX_QUERY_CHARS}); "
                               "search for fewer, more specific words")
    words = len(fold_chinese(query).split())
    if words > MAX_QUERY_WORDS:
        raise SearchUnavailable(f"search query too long: {words} words (at most {MAX_QUERY_WORDS}); "
                               "search for fewer, more specific words")


@dataclass(frozen=True)
class SearchPage:
    results: list[SearchResult]
    total: int  # stories (or copies) matching among the newest candidates
    total_is_exact: bool  # false when more matches exist beyond the candidates


SEARCH_SQL = """
SELECT rank, id, cluster_id, news_day, published_at, site, title, url, language, tags, copies, sites,
       matched_copies, snippet, total, total_is_exact
FROM news.search_articles(%(query)s, since => %(since)s, until => %(until)s, from_sites => %(sites)s,
                          in_languages => %(languages)s, with_topics => %(topics)s, every_copy => %(every_copy)s,
                          order_by => %(order_by)s, max_results => %(max_results)s, skip => %(skip)s)
"""


# A search that runs longer is cancelled (the reader login has its own limit, set by ingot.reader_login).
STATEMENT_TIMEOUT = "30s"


def fetch_search_results(conn: psycopg.Connection, request: SearchRequest) -> SearchPage:
    """Run the search (within STATEMENT_TIMEOUT); a database without the news schema, a refused query or one that
    ran too long raises ``SearchUnavailable``."""
    check_query(request.query)
    params = {
        "query": request.query, "since": request.since, "until": request.until,
        "sites": list(request.sites) or None, "languages": list(request.languages) or None,
        "topics": list(request.topics) or None, "every_copy": request.every_copy, "order_by": request.order_by,
        "max_results": request.max_results, "skip": request.skip,
    }
    try:
        with conn.transaction():
            conn.execute("SELECT set_config('statement_timeout', %s, true)", (STATEMENT_TIMEOUT,))
            rows = conn.execute(SEARCH_SQL, params).fetchall()
    except psycopg.errors.QueryCanceled:
        raise SearchUnavailable(f"the search ran longer than {STATEMENT_TIMEOUT}: narrow it (--since, --until, "
                                "--site) or use rarer words") from None
    except (psycopg.errors.InvalidSchemaName, psycopg.errors.UndefinedFunction):
        raise SearchUnavailable(
            "this database has no search schema yet: run `ingot db upgrade` (the demo's articles are in its own "
            "database: `ingot search --demo ...`)"
        ) from None
    except psycopg.errors.InvalidParameterValue as error:
        raise SearchUnavailable(str(error).strip().splitlines()[0]) from None
    results = [SearchResult(*row[:-2]) for row in rows]
    total, exact = (rows[0][-2], rows[0][-1]) if rows else (0, True)
    return SearchPage(results, total, exact)


def format_result(result: SearchResult) -> str:
    """One line: day, site, title, canonical URL, and the story's reach when other sites carried it too
    (whitespace in titles flattened so one result is one line)."""
    title = " ".join(result.title.split())
    day = result.news_day.isoformat() if result.news_day else "undated"
    line = f"{day}  {result.site}  {title}  {result.url}"
    if result.copies > 1:
        line += f"  [{result.copies} copies: {', '.join(result.sites)}]"
    return line


def format_snippet(snippet: str, *, bold: bool) -> str:
    """The snippet line under a result: matches in terminal bold, or left between <b> and </b>."""
    if bold:
        snippet = snippet.replace("<b>", "\033[1m").replace("</b>", "\033[0m")
    return f"    {snippet}"
