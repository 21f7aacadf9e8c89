"""A generated news corpus for the search benchmark: articles in five languages over three years, in COPY text form.

Words are drawn from a Zipf vocabulary per language (a few words are in most articles, most words in very few),
articles are log-normally long (about 450 words, or 900 characters in Chinese and Thai), sites publish in one
language each, one article in ten is a copy of an earlier one on another site (the same story), and a few are
undated. Search documents are built the way ingot.indexing builds them: Han and Thai runs as character bigrams
(``ingot.search.ngram_terms``), Latin words as their stems (asked of the database once per vocabulary word),
the title's lexemes weighted A. Generation is numpy for the draws and plain Python for the strings.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from ingot.search import fold_chinese, ngram_terms

# language → (number of sites, share of the articles)
LANGUAGES = {"zh-Hans": (20, 0.38), "zh-Hant": (6, 0.10), "en": (15, 0.27), "fr": (8, 0.10), "th": (11, 0.15)}
TIMEZONES = {"zh-Hans": "Asia/Shanghai", "zh-Hant": "Asia/Taipei", "en": "Europe/London", "fr": "Europe/Paris",
             "th": "Asia/Bangkok"}
VOCABULARY = 40_000
ZIPF_EXPONENT = 1.07
COPY_SHARE = 0.10
UNDATED_SHARE = 0.02
YEARS = 3

HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 3500)]
THAI = [chr(c) for c in range(0x0E01, 0x0E2F)] + [chr(c) for c in range(0x0E30, 0x0E3A)]
SYLLABLES = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"] + ["an", "er", "in", "on", "ar", "or"]


@dataclass
class Vocabulary:
    """One language's words, most frequent first, with their index lexemes and Zipf draw weights."""

    language: str
    words: list[str]
    lexemes: list[str]  # Latin: the stem; Han and Thai: the word itself (n-grams are made from it)
    cumulative: np.ndarray

    def draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        return np.searchsorted(self.cumulative, rng.random(count))

    @property
    def is_ngram(self) -> bool:
        return self.language.startswith(("zh", "th"))


def zipf_weights(size: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1) ** ZIPF_EXPONENT
    return np.cumsum(weights / weights.sum())


def latin_words(rng: np.random.Generator, size: int) -> list[str]:
    """Distinct pronounceable words of 2-4 syllables ending in a consonant (stemmers leave most of them be)."""
    words: dict[str, None] = {}
    while len(words) < size:
        count = int(rng.integers(2, 5))
        word = "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), count)) + "n"
        words.setdefault(word)
    return list(words)


def script_words(rng: np.random.Generator, size: int, alphabet: list[str], lengths: tuple[int, int]) -> list[str]:
    """Distinct words of Han or Thai characters, the characters themselves Zipf-distributed."""
    cumulative = zipf_weights(len(alphabet))
    words: dict[str, None] = {}
    while len(words) < size:
        length = int(rng.integers(*lengths))
        words.setdefault("".join(alphabet[i] for i in np.searchsorted(cumulative, rng.random(length))))
    return list(words)


def vocabularies(rng: np.random.Generator, stem) -> dict[str, Vocabulary]:
    """Every language's vocabulary; ``stem(config, words)`` returns each word's lexeme (None for a stop word)."""
    result = {}
    for language in LANGUAGES:
        if language.startswith("zh"):
            # one Chinese vocabulary, folded to Simplified as the index and the queries fold it
            drawn = script_words(np.random.default_rng(1), VOCABULARY + 2000, HAN, (2, 4))
            words = list(dict.fromkeys(fold_chinese(w) for w in drawn))[:VOCABULARY]
            lexemes = words
        elif language == "th":
            words = script_words(rng, VOCABULARY, THAI, (3, 7))
            lexemes = words
        else:
            candidates = latin_words(rng, VOCABULARY + 2000)
            stems = stem("english" if language == "en" else "french", candidates)
            kept = [(w, s) for w, s in zip(candidates, stems) if s][:VOCABULARY]
            words, lexemes = [w for w, _ in kept], [s for _, s in kept]
        result[language] = Vocabulary(language, words, lexemes, zipf_weights(len(words)))
    return result


@dataclass(frozen=True)
class Site:
    key: str
    language: str
    timezone: str


def sites() -> list[Site]:
    return [Site(f"{language.lower().replace('-', '')}{n:02d}", language, TIMEZONES[language])
            for language, (count, _) in LANGUAGES.items() for n in range(count)]


@dataclass
class Article:
    id: int
    site: Site
    title: str
    text: str
    document: str  # tsvector literal
    published_at: datetime.datetime | None
    cluster_id: int
    is_canonical: bool


def article_length(rng: np.random.Generator, ngram: bool) -> int:
    words = int(np.clip(rng.lognormal(np.log(450), 0.5), 60, 3000))
    return words * 2 if ngram else words  # Chinese and Thai: characters, about two per word


def document_literal(title_terms: list[str], text_terms: list[str]) -> str:
    """The tsvector literal of a document: title lexemes weighted A, then the text's, positions from 1, at most
    256 positions per lexeme and none past 16383 (what Postgres keeps)."""
    positions: dict[str, list[str]] = {}
    for position, term in enumerate(title_terms, 1):
        positions.setdefault(term, []).append(f"{position}A")
    for position, term in enumerate(text_terms, len(title_terms) + 1):
        if position > 16383:
            break
        positions.setdefault(term, []).append(str(position))
    return " ".join(f"'{term}':{','.join(kept[:256])}" for term, kept in positions.items())


def latin_article(vocabulary: Vocabulary, rng: np.random.Generator) -> tuple[str, str, str]:
    title_ids = vocabulary.draw(rng, int(rng.integers(6, 14)))
    text_ids = vocabulary.draw(rng, article_length(rng, False))
    words, lexemes = vocabulary.words, vocabulary.lexemes
    document = document_literal([lexemes[i] for i in title_ids], [lexemes[i] for i in text_ids])
    return " ".join(words[i] for i in title_ids), " ".join(words[i] for i in text_ids), document


def ngram_article(vocabulary: Vocabulary, rng: np.random.Generator) -> tuple[str, str, str]:
    """Sentences of words (runs between punctuation), n-grams per run as the indexer makes them."""
    words = vocabulary.words
    title = "".join(words[i] for i in vocabulary.draw(rng, int(rng.integers(5, 10))))
    budget = article_length(rng, True)
    sentences = []
    while budget > 0:
        sentence = "".join(words[i] for i in vocabulary.draw(rng, int(rng.integers(4, 14))))
        sentences.append(sentence)
        budget -= len(sentence)
    text_terms = [term for sentence in sentences for term in ngram_terms(sentence)]
    return title, "，".join(sentences) + "。", document_literal(ngram_terms(title), text_terms)


def generate_chunk(vocabs: dict[str, Vocabulary], chunk: int, chunks: int, size: int, seed: int,
                   today: datetime.date) -> list[Article]:
    """Chunk ``chunk`` of ``chunks``: ``size`` articles with ids from chunk * size + 1, published in that chunk's
    slice of the YEARS years before ``today``, in publication order. Copies repeat an article of the same chunk."""
    rng = np.random.default_rng([seed, chunk])
    all_sites = sites()
    by_language = {language: [s for s in all_sites if s.language == language] for language in LANGUAGES}
    cumulative_shares = np.cumsum([share for _, share in LANGUAGES.values()])
    languages = list(LANGUAGES)
    span = datetime.timedelta(days=365 * YEARS) / chunks
    start = datetime.datetime.combine(today, datetime.time(), datetime.UTC) - span * (chunks - chunk)
    offsets = np.sort(rng.random(size)) * span.total_seconds()
    articles: list[Article] = []
    originals: list[Article] = []
    for n in range(size):
        article_id = chunk * size + n + 1
        published = start + datetime.timedelta(seconds=float(offsets[n]))
        if originals and rng.random() < COPY_SHARE:
            original = originals[-1 - int(rng.integers(0, min(len(originals), 200)))]
            others = [s for s in by_language[original.site.language] if s != original.site]
            articles.append(Article(article_id, others[int(rng.integers(0, len(others)))], original.title,
                                    original.text, original.document, published, original.cluster_id, False))
            continue
        language = languages[int(np.searchsorted(cumulative_shares, rng.random() * cumulative_shares[-1]))]
        site = by_language[language][int(rng.integers(0, len(by_language[language])))]
        vocabulary = vocabs[language]
        title, text, document = (ngram_article if vocabulary.is_ngram else latin_article)(vocabulary, rng)
        undated = rng.random() < UNDATED_SHARE
        article = Article(article_id, site, title, text, document, None if undated else published, article_id, True)
        originals.append(article)
        articles.append(article)
    return articles


@lru_cache(maxsize=None)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n").replace("\r", " ")


def article_row(a: Article, first_seen: datetime.datetime) -> str:
    """A line of COPY article (id, canonical_url, url, site_key, title, text, text_sha256, cluster_id,
    is_canonical, published_at, language, rule_version, extractor_version, first_seen_at, extracted_at)."""
    url = f"https://{a.site.key}.example/news/{a.id}.html"
    published = a.published_at.isoformat() if a.published_at else "\\N"
    digest = hashlib.sha256(a.text.encode()).hexdigest()
    seen = first_seen.isoformat()
    return "\t".join((str(a.id), url, f"https://{a.site.key}.example/api/fetch?id={a.id}", a.site.key,
                      copy_escape(a.title), copy_escape(a.text), digest, str(a.cluster_id),
                      "t" if a.is_canonical else "f", published, a.site.language, "1", "bench", seen, seen)) + "\n"


def index_row(a: Article, first_seen: datetime.datetime) -> str:
    """A line of COPY article_index (article_id, search_document, topics, vocabulary_version, index_format,
    article_extracted_at, site_key, language, published_at, news_day); the document holds its month as
    month_lexeme (sql/migrations/0071) writes it."""
    document = a.document
    if a.published_at:
        day = a.published_at.astimezone(zone(a.site.timezone)).date()
        news_day, published = day.isoformat(), a.published_at.isoformat()
        document += f" '@{day:%Y-%m}'"
    else:
        news_day = published = "\\N"
    return "\t".join((str(a.id), copy_escape(document), "{}", "bench", "2", first_seen.isoformat(), a.site.key,
                      a.site.language, published, news_day)) + "\n"
