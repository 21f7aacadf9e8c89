"""Values PostgreSQL can store: pure cleaning of what a page hands the database.

A page is hostile input: its markup and JSON-LD may carry a NUL (``\\u0000``), which no PostgreSQL text, text[]
or jsonb value may hold, or a lone UTF-16 surrogate (``\\ud800``), which is not a character and cannot be encoded
in UTF-8 at all. Either one made the whole batch of pages fail. Cleaning is lossless for everything else: NUL is
removed, a surrogate pair left split in a string is joined into its character, and a lone surrogate becomes
U+FFFD, the replacement character, as a decoder does with bytes it cannot read.

A btree index refuses an entry over about 2,700 bytes (a third of a page), so a value that is indexed is only
stored when it fits ``MAX_INDEXED_BYTES``, far beyond any real URL.
"""

from __future__ import annotations

from collections.abc import Mapping

MAX_INDEXED_BYTES = 2048
# Free-text notes (a rejection's detail) are for a reader: a screenful is enough, and bounded rows stay cheap.
MAX_DETAIL_CHARS = 2000


def storable_text(value: str) -> str:
    """``value`` without NUL and with lone surrogates replaced by U+FFFD (paired ones joined)."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if value.isascii():  # no surrogate then; and the check costs nothing, unlike encoding
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # UTF-16 round trip: a high+low pair becomes its character; anything else left undecodable becomes U+FFFD
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return value


def storable(value):
    """``value`` with every string in it made storable: strings, and the lists, tuples and dicts (keys too) of
    the array and jsonb columns, at any depth. Other values are returned as they are."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, (list, tuple)):
        return type(value)(storable(item) for item in value)
    if isinstance(value, Mapping):
        return {storable(key) if isinstance(key, str) else key: storable(item) for key, item in value.items()}
    return value


def fits_index(value: str | None) -> bool:
    """Whether ``value`` can be a btree index entry (with room to spare), as UTF-8."""
    return value is None or len(value) <= MAX_INDEXED_BYTES // 4 or len(value.encode("utf-8")) <= MAX_INDEXED_BYTES


def storable_detail(value: str | None) -> str | None:
    """A free-text note, storable and at most ``MAX_DETAIL_CHARS`` long (cut with an ellipsis)."""
    if value is None:
        return None
    value = storable_text(value)
    return value if len(value) <= MAX_DETAIL_CHARS else value[:MAX_DETAIL_CHARS - 1] + "…"
