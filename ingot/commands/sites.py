"""``ingot sites``: list the configured sites."""

from __future__ import annotations

from ingot.sites import load_sites


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sites",
        help="list the configured sites",
        description="List the sites configured in the rule folder (INGOT_SITES_DIR, default sites/), "
        "validating every rule file.",
    )
    parser.set_defaults(handler=run_sites)


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
