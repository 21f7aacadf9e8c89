"""Feed and sitemap discovery over feedparser's whole test corpus: no input may raise, and the article links found
must be the entry links the files' ``Expect:`` lines name.

    .venv/bin/python -m bench.check_realweb_discovery [CORPUS]

CORPUS defaults to ``realweb/feedparser`` in the shared folder beside the project (``../shared`` or
``../../shared``). Each file is read as feedparser's own tests serve it: at ``http://127.0.0.1:8097/<path>`` with
the headers its ``Header:`` lines name. An ``Expect:`` claim ``entries[i]['link'] == ... == 'URL'`` (or one on
``entries[i]['links'][j]['href']`` when that link is the entry's HTML alternate) is checked against the article
link found for entry i. Entries whose only links are enclosure, ``self``, ``related``, ``via`` or ``license``
links are counted: they have no article link (feedparser's own ``entry.link`` is then such a link).
Exits 1 when any input raised or any claim was missed.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import traceback
from pathlib import Path
from urllib.parse import urljoin

import feedparser

from crawlers.discovery import NOT_ARTICLE_RELS, article_link, parse_feed, parse_sitemap
from ingot.paths import PROJECT_ROOT

HEADER = re.compile(r"^Header:\s+([^:]+):(.*)$", re.M)
EXPECT = re.compile(r"Expect:\s*(.*?)\s*-->", re.S)
LINK_CLAIM = re.compile(r"((?:entries\[\d+\]\['link'\]\s*==\s*)+)(u?'[^']*'|u?\"[^\"]*\")")
INDEX = re.compile(r"entries\[(\d+)\]")
HREF_CLAIM = re.compile(r"entries\[(\d+)\]\['links'\]\[(\d+)\]\['href'\]\s*==\s*(u?'[^']*'|u?\"[^\"]*\")")


def default_corpus() -> Path | None:
    for shared in (PROJECT_ROOT.parent / "shared", PROJECT_ROOT.parent.parent / "shared"):
        if (shared / "realweb" / "feedparser").is_dir():
            return shared / "realweb" / "feedparser"
    return None


def served_as(corpus: Path, path: Path, text: str) -> tuple[str, dict[str, str]]:
    """The URL and response headers feedparser's test server gives the file."""
    relative = path.relative_to(corpus / "tests").as_posix() if (corpus / "tests") in path.parents else path.name
    headers = {"Content-Type": "text/xml"}
    for name, value in HEADER.findall(text):
        headers["Content-Type" if name.strip().lower() == "content-type" else name.strip()] = value.strip()
    return f"http://127.0.0.1:8097/{relative}", headers


def link_claims(text: str, entries: list) -> dict[int, str]:
    """Entry index -> the article link an ``Expect:`` line says that entry has: its ``link``, or the ``href`` of
    one of its ``links`` when feedparser reads that one as the entry's HTML alternate."""
    found = EXPECT.search(text)
    expect = found.group(1) if found else ""
    claims: dict[int, str] = {}
    for chain, value in LINK_CLAIM.findall(expect):
        for index in INDEX.findall(chain):
            claims[int(index)] = ast.literal_eval(value)
    for index, position, value in HREF_CLAIM.findall(expect):
        links = entries[int(index)].get("links", []) if int(index) < len(entries) else []
        link = links[int(position)] if int(position) < len(links) else {}
        if link.get("rel") == "alternate" and "html" in (link.get("type") or "text/html"):
            claims.setdefault(int(index), ast.literal_eval(value))
    return claims


def check(corpus: Path) -> int:
    files = sorted(path for path in corpus.rglob("*") if path.is_file())
    raised, claims_met, claims_missed, non_article_only, entries, links_found = [], 0, [], 0, 0, 0
    for path in files:
        body = path.read_bytes()
        text = body.decode("utf-8", "ignore")
        url, headers = served_as(corpus, path, text)
        try:
            links, _ = parse_feed(body, url, "UTC", headers=headers)
            parse_sitemap(body, "UTC", base_url=url, headers=headers)
            parsed = feedparser.parse(body, response_headers={
                "content-location": urljoin(url, headers.get("Content-Location", "")),
                "content-type": headers["Content-Type"]})
        except Exception:  # the one thing this checker exists to find
            raised.append((path, traceback.format_exc(limit=3)))
            continue
        entries += len(parsed.entries)
        links_found += len(links)
        for entry in parsed.entries:
            rels = {link.get("rel") for link in entry.get("links") or []}
            if rels and rels <= NOT_ARTICLE_RELS and article_link(entry) is None:
                non_article_only += 1
        found = [link.url for link in links]
        for index, expected in link_claims(text, parsed.entries).items():
            if len(found) == len(parsed.entries):  # every entry gave a link: the lists line up
                got = found[index] if index < len(found) else None
            else:
                got = expected if expected in found else None
            if got == expected:
                claims_met += 1
            else:
                claims_missed.append((path, index, expected, got))
    print(f"{len(files)} files read as feeds and as sitemaps: {len(raised)} raised")
    print(f"{entries} entries, {links_found} article links; {non_article_only} entries with only enclosure/self/"
          f"related/via/license links (no article link)")
    print(f"Expect: entry link claims: {claims_met} met, {len(claims_missed)} missed")
    for path, index, expected, got in claims_missed:
        print(f"  missed {path.relative_to(corpus)} entries[{index}]: expected {expected!r}, got {got!r}")
    for path, trace in raised:
        print(f"  raised on {path.relative_to(corpus)}:\n{trace}")
    return 1 if raised or claims_missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=default_corpus())
    args = parser.parse_args()
    if args.corpus is None or not args.corpus.is_dir():
        print("feedparser's corpus not found: pass its folder (realweb/feedparser)", file=sys.stderr)
        return 2
    return check(args.corpus)


if __name__ == "__main__":
    sys.exit(main())
