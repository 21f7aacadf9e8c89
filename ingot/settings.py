"""The one place that reads the environment. Everything else receives a ``Settings`` or plain arguments.

A value that does not parse is a ``ConfigurationError`` naming the variable, the value and what is expected
(exit status 2), read when the settings are, before any work starts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_data_path

from ingot.errors import ConfigurationError
from ingot.paths import PROJECT_ROOT, SITES_DIR

DEFAULT_USER_AGENT = "ingot-newsbot/0.1 (+{contact})"
DEFAULT_CONTACT_URL = "https://github.com/ingot-news/ingot#crawler"


@dataclass(frozen=True)
class Settings:
    """Run-time configuration.

    ``database_url`` is None when no server is configured: ingot then uses the embedded PostgreSQL kept under
    ``home / "pgdata"``.
    """

    database_url: str | None
    home: Path
    sites_dir: Path
    contact_url: str
    news_timezone: str
    raw_retention_days: int
    # Base URL of a loopback fixture web (tests, `ingot demo`): every crawl request is routed there, with the
    # site's real URL kept in the Host header and in what is stored.
    fixture_web: str | None = None
    # A chat webhook (Slack-style JSON {"text": ...}) that a failed daily run posts its failed sites to.
    alert_webhook: str | None = None
    # INGOT_LISTEN: a loopback port (or 127.0.0.1:PORT) for the embedded server to listen on, for BI tools.
    listen: str | None = None
    # INGOT_READER_PASSWORD: the analysts' login password; unset, `ingot db reader-url` keeps one in INGOT_HOME.
    reader_password: str | None = None

    @property
    def embedded_data_dir(self) -> Path:
        return self.home / "pgdata"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def user_agent(self) -> str:
        return DEFAULT_USER_AGENT.format(contact=self.contact_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("INGOT_DATABASE_URL") or None,
            home=Path(env.get("INGOT_HOME") or default_home()).expanduser(),
            sites_dir=Path(env.get("INGOT_SITES_DIR") or SITES_DIR).expanduser(),
            contact_url=env.get("INGOT_CONTACT_URL") or DEFAULT_CONTACT_URL,
            news_timezone=time_zone_setting(env, "INGOT_NEWS_TIMEZONE", "Asia/Shanghai"),
            raw_retention_days=positive_int_setting(env, "INGOT_RAW_RETENTION_DAYS", 90, unit="days"),
            fixture_web=env.get("INGOT_FIXTURE_WEB") or None,
            alert_webhook=env.get("INGOT_ALERT_WEBHOOK") or None,
            listen=env.get("INGOT_LISTEN") or None,
            reader_password=env.get("INGOT_READER_PASSWORD") or None,
        )


def positive_int_setting(env: Mapping[str, str], name: str, default: int, *, unit: str) -> int:
    raw = env.get(name)
    if not raw:
        return default
    value = int(raw) if re.fullmatch(r"\s*[0-9]+\s*", raw) else 0
    if value < 1:
        raise ConfigurationError(f"{name}={raw!r} is not valid: expected a whole number of {unit}, at least 1 "
                                 f"(unset: {default})")
    return value


def time_zone_setting(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name)
    if not raw:
        return default
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"{name}={raw!r} is not valid: expected an IANA time zone such as "
                                 f"{default!r}") from None
    return raw


def default_home() -> Path:
    """The project's ``.ingot`` folder in a source checkout, else the user's data directory."""
    if (PROJECT_ROOT / "pyproject.toml").is_file() and os.access(PROJECT_ROOT, os.W_OK):
        return PROJECT_ROOT / ".ingot"
    return user_data_path("ingot")
