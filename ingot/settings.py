"""The one place that reads the environment. Everything else receives a ``Settings`` or plain arguments."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

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
            news_timezone=env.get("INGOT_NEWS_TIMEZONE") or "Asia/Shanghai",
            raw_retention_days=int(env.get("INGOT_RAW_RETENTION_DAYS") or 90),
            fixture_web=env.get("INGOT_FIXTURE_WEB") or None,
            listen=env.get("INGOT_LISTEN") or None,
            reader_password=env.get("INGOT_READER_PASSWORD") or None,
        )


def default_home() -> Path:
    """The project's ``.ingot`` folder in a source checkout, else the user's data directory."""
    if (PROJECT_ROOT / "pyproject.toml").is_file() and os.access(PROJECT_ROOT, os.W_OK):
        return PROJECT_ROOT / ".ingot"
    return user_data_path("ingot")
