"""``ingot sites``: list the configured sites; ``sites check KEY`` probes a rule's sources; ``sites discover URL``
drafts a rule for a site never seen."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ingot.errors import ConfigurationError, IngotError
from ingot.polite_fetch import PoliteFetcher
from ingot.site_check import check_site
from ingot.site_discovery import discover_site, save_draft, site_key_for
from ingot.site_probe import MIN_BODY_CHARS
from ingot.sites import load_sites


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sites",
        help="list, check or discover sites",
        description="List the sites configured in the rule folder (INGOT_SITES_DIR, default sites/), "
        "validating every rule file; `check` and `discover` probe a site.",
    )
    parser.set_defaults(handler=run_sites)
    commands = parser.add_subparsers(dest="sites_command", metavar="SUBCOMMAND")

    check = commands.add_parser(
        "check", help="fetch every source of a site's rule and say which still works",
        description="Fetch robots.txt and every feed, sitemap and list of the rule (only its own hosts, obeying "
        "robots.txt), count the article links, extract the newest two articles, and print one line per source: "
        "ok, empty, blocked, changed (a selector or pattern matches nothing, date missing, body too short) or "
        "failed. Exits 1 when any source is not ok. Run it after editing a rule and when a site's yield drops.",
    )
    check.add_argument("key", help="the site's key (its rule file name)")
    check.add_argument("--min-body", type=int, default=MIN_BODY_CHARS, metavar="N",
                       help=f"an article body under N characters is a failure (default {MIN_BODY_CHARS})")
    check.set_defaults(handler=run_check)

    discover = commands.add_parser(
        "discover", help="probe a site never seen and write a draft rule for it",
        description="Probe robots.txt, the page's feeds and the sitemaps it can find, sample the newest article "
        "links, propose article_patterns, extract three articles in generic mode and write a draft "
        "<key>.yaml (enabled: false) with a report of what each source gave.",
    )
    discover.add_argument("url", help="the site's home page (its host becomes the rule's allowed host)")
    discover.add_argument("--key", help="the rule's key (default: from the host, e.g. www.cmra.cn -> cmra)")
    discover.add_argument("--output", metavar="DIR", help="folder to write the draft in (default: INGOT_SITES_DIR)")
    discover.add_argument("--force", action="store_true", help="replace an existing rule file of that key")
    discover.set_defaults(handler=run_discover)


def run_sites(args, settings) -> int:
    sites = load_sites(settings.sites_dir)
    if not sites:
        print(f"no site rule files in {settings.sites_dir}")
        return 0
    width = max(len(key) for key in sites)
    for site in sites.values():
        state = "enabled " if site.enabled else "disabled"
        languages = ",".join(site.languages) or "-"
        print(f"{site.key:<{width}}  {state}  v{site.rule_version:<3} {languages:<12} {site.base_url}  {site.name}")
    return 0


def run_check(args, settings) -> int:
    sites = load_sites(settings.sites_dir)
    if args.key not in sites:
        raise ConfigurationError(f"no site {args.key!r} in {settings.sites_dir}; run `ingot sites` to list the keys")
    site = sites[args.key]
    fetcher = PoliteFetcher(site.allowed_hosts, user_agent=settings.user_agent, fixture_web=settings.fixture_web,
                            delay_s=site.crawl.download_delay)
    print(f"{site.key}: rule v{site.rule_version}, checked: {site.checked or '(no note)'}")
    reports = check_site(site, fetcher, day=datetime.now(ZoneInfo(site.timezone)).date(), min_body=args.min_body)
    for report in reports:
        print(report.line())
    failing = [report for report in reports if report.failing]
    print(f"{site.key}: {len(reports) - len(failing)} ok, {len(failing)} failing, {fetcher.requests} requests")
    return 1 if failing else 0


def run_discover(args, settings) -> int:
    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{args.url!r} is not an http(s) URL")
    key = args.key or site_key_for(parts.hostname)
    directory = settings.sites_dir if args.output is None else Path(args.output)
    fetcher = PoliteFetcher((parts.hostname.lower(),), user_agent=settings.user_agent,
                            fixture_web=settings.fixture_web)
    found = discover_site(args.url, fetcher, key=key, day=datetime.now(UTC).date())
    for report in found.reports:
        print(report.line())
    if found.patterns:
        print(f"sampled {found.sampled} newest link(s); the proposed article_patterns match {found.covered}:")
    for pattern in found.patterns:
        print(f"  {pattern}")
    if found.document is None:
        print(f"{key}: no article links found; no draft written ({fetcher.requests} requests)")
        return 1
    try:
        path = save_draft(found.document, directory, overwrite=args.force)
    except FileExistsError as error:
        raise IngotError(f"{error} exists; pass --force to replace it or --key to choose another key") from None
    print(f"{key}: wrote {path} (enabled: false; review it, run `ingot sites check {key}`, then enable it); "
          f"{fetcher.requests} requests")
    return 0

