"""The site registry: one YAML rule file per site in sites/, holding its crawl and extract rules.

A rule file is data, in UTF-8. Its ``checked`` note says honestly what its URLs were checked against (a live
fetch, a public source, "fixture web only", "unverified"); every file in sites/ has one (a test holds the
registry to it; the loader only checks its type, so drafts and test rules may go without). It is validated when
loaded: bytes that are not UTF-8, an unknown key, a wrong type, a bad time zone or a regex that does not compile
is a ``SiteRuleError`` naming the file and the key (or the offending byte). The ``crawl`` and ``extract``
sections are parsed by the packages that use them (``crawlers.rules`` and ``extract.rules``), so each layer owns
its own vocabulary and the registry only checks the frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from crawlers.urls import normal_host
from ingot.errors import SiteRuleError

TOP_LEVEL_KEYS = {
    "key", "name", "base_url", "languages", "timezone", "enabled", "rule_version", "allowed_hosts",
    "crawl", "extract", "notes", "checked",
}
REQUIRED_KEYS = {"key", "name", "base_url", "timezone", "rule_version", "allowed_hosts"}


@dataclass(frozen=True)
class Site:
    key: str
    name: str
    base_url: str
    timezone: str
    rule_version: int
    allowed_hosts: tuple[str, ...]
    languages: tuple[str, ...] = ()
    enabled: bool = True
    checked: str | None = None  # what the rule's URLs were checked against, in a sentence
    crawl: Any = None
    extract: Any = None
    source_file: Path | None = field(default=None, compare=False)


def load_sites(directory: Path) -> dict[str, Site]:
    """Every rule file of ``directory`` by key, in key order."""
    if not directory.is_dir():
        raise SiteRuleError(f"site rule folder {directory} does not exist; set INGOT_SITES_DIR or create it")
    sites = [load_site(path) for path in sorted(directory.glob("*.yaml"))]
    return {site.key: site for site in sorted(sites, key=lambda s: s.key)}


def load_site(path: Path) -> Site:
    try:
        document = yaml.safe_load(read_rule_text(path))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise SiteRuleError(f"{path}{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    try:
        return parse_site(document, path)
    except (ValueError, TypeError) as error:
        raise SiteRuleError(f"{path}: {error}") from None


def read_rule_text(path: Path) -> str:
    """The text of a rule file, which must be UTF-8: a file saved in another encoding is named with its first
    offending byte rather than read as the wrong characters."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SiteRuleError(f"{path}: cannot read ({error.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SiteRuleError(f"{path}: not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}, line "
                            f"{line}); save the file as UTF-8") from None


def parse_site(document: Any, path: Path) -> Site:
    """Build a Site from a parsed rule file; raises ValueError naming the offending key."""
    if not isinstance(document, dict):
        raise ValueError("a site rule file is a mapping of keys")
    unknown = sorted(set(document) - TOP_LEVEL_KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(TOP_LEVEL_KEYS))})")
    missing = sorted(REQUIRED_KEYS - set(document))
    if missing:
        raise ValueError(f"missing key {missing[0]!r}")
    key = _typed(document, "key", str)
    if key != path.stem:
        raise ValueError(f"key {key!r} must equal the file name {path.stem!r}")
    timezone = _typed(document, "timezone", str)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"timezone: {timezone!r} is not an IANA time zone") from None
    # one spelling per host (lowercase punycode, no trailing dot), as the crawler and the extractor compare them
    hosts = tuple(dict.fromkeys(normal_host(host) for host in _string_list(document, "allowed_hosts")))
    if not hosts:
        raise ValueError("allowed_hosts: list at least the host of base_url")
    base_url = _typed(document, "base_url", str)
    if normal_host(urlsplit(base_url).hostname or "") not in hosts:
        raise ValueError(f"base_url: host of {base_url!r} is not in allowed_hosts")
    rule_version = _typed(document, "rule_version", int)
    if rule_version < 1:
        raise ValueError("rule_version: must be a positive integer")
    crawl_section = document.get("crawl") or {}
    extract_section = document.get("extract") or {}
    return Site(
        key=key,
        name=_typed(document, "name", str),
        base_url=base_url,
        timezone=timezone,
        rule_version=rule_version,
        allowed_hosts=hosts,
        languages=tuple(_string_list(document, "languages")),
        enabled=_typed(document, "enabled", bool, default=True),
        checked=_checked(document),
        crawl=parse_crawl_section(crawl_section),
        extract=parse_extract_section(extract_section, hosts, timezone),
        source_file=path,
    )


def parse_crawl_section(section: Any) -> Any:
    from crawlers.rules import parse_crawl_rules

    return parse_crawl_rules(_mapping(section, "crawl"))


def parse_extract_section(section: Any, hosts: tuple[str, ...], timezone: str) -> Any:
    from extract.rules import parse_extract_rules

    return parse_extract_rules(_mapping(section, "extract"), allowed_hosts=hosts, timezone=timezone)


def _checked(document: dict) -> str | None:
    value = document.get("checked")
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError("checked: a sentence saying what the rule's URLs were checked against "
                         "(\"fixture web only; path shape from <public source>\", \"unverified\")")
    return value.strip() if value else None


def _mapping(value: Any, key: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{key}: must be a mapping")
    return value


def _typed(document: dict, key: str, kind: type, default: Any = None) -> Any:
    value = document.get(key, default)
    # bool is an int in Python; a rule_version of `true` is still a mistake
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{key}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def _string_list(document: dict, key: str) -> list[str]:
    value = document.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"{key}: expected a list of non-empty strings")
    return value
