"""Pure: article URL patterns proposed from sample article URLs (``ingot sites discover``).

URLs of one shape (host, the kind of each path segment, trailing slash, query parameter names) are generalised
segment by segment: numbers become ``\\d+`` (a year or an id today is another tomorrow), slugs ``[a-z0-9-]+``, a word
that every sample shares is kept as it is (``news``, ``cmra``), an id with a fixed prefix keeps its prefix
(``content_\\d+``). A shape seen only once or twice among many samples (an "about" page in a sitemap) is left out.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from urllib.parse import parse_qsl, urlsplit

_DIGITS = re.compile(r"\d+")
_EXTENSION = re.compile(r"^(.+?)(\.[A-Za-z][A-Za-z0-9]{0,4})$")
_ID_SHAPE = re.compile(r"^[A-Za-z]*[_-]?#(?:[-_.]#)*$")  # content_#, Content-#, #-#, #: an id, not a slug
_DATE_SHAPE = re.compile(r"^#(?:[-_.]#)*$")  # numbers and separators only: 2024-07, 2026_09_28
_SLUG = re.compile(r"[a-z0-9-]+")
_SLUG_UNDERSCORE = re.compile(r"[a-z0-9_-]+")
_MIXED_CASE_SLUG = re.compile(r"[A-Za-z0-9_-]+")
MIN_SHARE = 0.1  # a shape must cover this share of the samples (and at least two of them) to be proposed


def article_patterns(urls: list[str]) -> list[str]:
    """Regexes (anchored, either scheme) covering the samples, the most common shape first."""
    groups: dict[tuple, list] = defaultdict(list)
    for url in dict.fromkeys(urls):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        segments = [segment for segment in parts.path.split("/") if segment]
        if not segments and not parts.query:
            continue  # a home page is not an article
        query = parse_qsl(parts.query, keep_blank_values=True)
        shape = (parts.hostname.lower(), tuple(_signature(segment) for segment in segments),
                 parts.path.endswith("/") and bool(segments), tuple(name for name, _ in query))
        groups[shape].append((segments, [value for _, value in query]))
    counted: dict[str, int] = defaultdict(int)
    for shape, members in groups.items():
        counted[_group_pattern(shape, members)] += len(members)
    total = sum(counted.values())
    needed = max(2, math.ceil(MIN_SHARE * total))
    ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    kept = [pattern for pattern, count in ranked if count >= needed]
    return kept or [pattern for pattern, _ in ranked[:1]]


def _signature(segment: str) -> tuple[str, str]:
    """What kind of segment this is (number, id with a prefix, slug, other) and its extension: URLs differing in
    a segment's kind are of different shapes (``/news/<slug>`` beside ``/analysis/<n>.html``)."""
    match = _EXTENSION.match(segment)
    stem, extension = (match.group(1), match.group(2)) if match else (segment, "")
    skeleton = _DIGITS.sub("#", stem)
    if stem.isdigit():
        kind = "number"
    elif "#" in skeleton and _ID_SHAPE.match(skeleton):
        kind = skeleton
    elif _MIXED_CASE_SLUG.fullmatch(stem):
        kind = "slug"
    else:
        kind = "other"
    return kind, extension


def _group_pattern(shape: tuple, members: list) -> str:
    host, signatures, trailing_slash, names = shape
    length = len(signatures)
    several = len({(tuple(s), tuple(v)) for s, v in members}) > 1
    path = []
    for position in range(length):
        values = [segments[position] for segments, _ in members]
        last = position == length - 1
        path.append(segment_pattern(values, keep_constant=several or not last))
    pattern = rf"^https?://{_literal(host)}/" + "/".join(path) + ("/" if trailing_slash else "")
    if names:
        pairs = []
        for index, name in enumerate(names):
            values = [query_values[index] for _, query_values in members]
            pairs.append(_literal(name) + "=" + (segment_pattern(values, keep_constant=several) if any(values) else ""))
        pattern += r"\?" + "&".join(pairs)
    return pattern + "$"


def segment_pattern(values: list[str], *, keep_constant: bool = True) -> str:
    """The narrowest usual class covering every value of one path segment (or query value)."""
    split = [_EXTENSION.match(value) for value in values]
    extensions = {match.group(2) if match else "" for match in split}
    if len(extensions) > 1:
        return "[^/]+"
    extension = extensions.pop()
    stems = [match.group(1) if match else value for match, value in zip(split, values)]
    return _stem_pattern(stems, keep_constant, distinct=len(set(stems)) > 1) + _literal(extension)


def _stem_pattern(stems: list[str], keep_constant: bool, distinct: bool) -> str:
    if all(stem.isdigit() for stem in stems):
        return r"\d+"
    skeletons = {_DIGITS.sub("#", stem) for stem in stems}
    skeleton = next(iter(skeletons)) if len(skeletons) == 1 else None
    if not distinct and keep_constant and not (skeleton and _DATE_SHAPE.match(skeleton)):
        return _literal(stems[0])  # a word every sample shares; a shared month (2024-07) is not one
    if skeleton and "#" in skeleton and _ID_SHAPE.match(skeleton):
        return "".join(r"\d+" if part == "#" else _literal(part) for part in re.split("(#)", skeleton) if part)
    for shape, written in ((_SLUG, "[a-z0-9-]+"), (_SLUG_UNDERSCORE, "[a-z0-9_-]+"),
                           (_MIXED_CASE_SLUG, "[A-Za-z0-9_-]+")):
        if all(shape.fullmatch(stem) for stem in stems):
            return written
    return "[^/]+"


def _literal(text: str) -> str:
    """``re.escape`` without its escaped hyphens: the patterns stay readable in a rule file."""
    return re.escape(text).replace("\\-", "-")
