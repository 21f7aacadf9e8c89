"""Authors: trafilatura's byline finder as one more source beside ingot's credit lines, and names cleaned.

`byline_authors` runs trafilatura's own author logic (meta tags, then JSON-LD, then byline elements found by
its XPath expressions: rel=author, itemprop=author, author/byline/zuozhe classes) on the page tree. It prunes
the tree in place, as trafilatura does on its copy, so it runs after the body has been extracted (only for
pages whose credit lines and meta name nobody).

`clean_names` makes one list of person names out of what any source gave: "By", "Von", "文/" and role words
go, as do trailing dates and times, "View all posts by", e-mail addresses and URLs, agency names (a wire
service is a source, not a person), photo credits and account handles.
"""

from __future__ import annotations

import html
import re

from .credits import TRAILING_DATE, split_names

_LEAD = re.compile(r"^(?:(?:written|posted|reported|edited|text|words|story|photos?)\s+)?(?:by|von|par|por|di|door|av)\s+"
                   r"|^(?:view all posts by|more from|articles by|alle artikel von|tous les articles de)\s+", re.I)
_EMAIL_OR_URL = re.compile(r"\S+@\S+\.\w+|https?://\S+|www\.\S+")
AGENCIES = frozenset(
    "reuters|thomson reuters|associated press|the associated press|ap|afp|agence france-presse|dpa|apa|ansa|efe|"
    "bloomberg|bloomberg news|xinhua|kyodo|yonhap|tass|pa|press association|upi|sda|ats|epd|kna|"
    "新华社|新華社|中新社|中新网|中國新聞社|中国新闻社|中央社|共同社|路透社|美联社|法新社|彭博社".split("|"))
_NOT_A_NAME = re.compile(r"^(?:null|none|undefined|admin|administrator|subscribe|share|facebook|twitter|linkedin|"
                         r"(?:foto|photo|bild|image|photographer|fotograf)\b.*)$", re.I)
_HANDLE = re.compile(r"^[\w.-]+\.[\w.-]+$")  # "jane.doe", "facebook.com": an account or a domain, not a name


def byline_authors(page) -> list[str]:
    """Authors as trafilatura finds them (meta, JSON-LD, byline elements); the page tree is pruned in place."""
    from trafilatura.htmlprocessing import prune_unwanted_nodes
    from trafilatura.metadata import (AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS, examine_meta, extract_meta_json,
                                      extract_metainfo, normalize_authors)

    tree = page.root
    document = examine_meta(tree)
    if document.author and " " not in document.author:
        document.author = None  # trafilatura's own rule: a one-word meta author is a site or a login name
    try:
        document = extract_meta_json(tree, document)
    except Exception:  # trafilatura's JSON-LD reader fails on some malformed data: then there is none
        pass
    author = document.author
    if not author:
        found = extract_metainfo(prune_unwanted_nodes(tree, AUTHOR_DISCARD_XPATHS), AUTHOR_XPATHS, len_limit=120)
        author = normalize_authors(None, found) if found else None
    return [name.strip() for name in author.split(";") if name.strip()] if author else []


def clean_name(raw: str) -> str:
    name = " ".join(_EMAIL_OR_URL.sub(" ", raw).split())
    name = _LEAD.sub("", name)
    name = TRAILING_DATE.sub("", name)
    return name.strip(" ,;:|·-–—()[]")


def clean_names(names) -> list[str]:
    """Names out of raw author strings: entities decoded, split, stripped of bylines' words and dates; agencies,
    photo credits, account handles and placeholders left out; each name once (one contained in a fuller one
    goes). An editorial team or the site itself signing a story ("Redaktion", "Team X") is its author."""
    out: list[str] = []
    for raw in names:
        raw = html.unescape(raw)
        for part in split_names(clean_name(raw)) or [clean_name(raw)]:
            name = clean_name(part)
            folded = name.casefold()
            if (not name or len(name) > 60 or folded in AGENCIES or _NOT_A_NAME.match(name) or _HANDLE.match(name)
                    or not any(c.isalpha() for c in name)):
                continue
            if folded not in (o.casefold() for o in out):
                out.append(name)
    return [n for n in out if not any(n != other and n.casefold() in other.casefold() for other in out)]
