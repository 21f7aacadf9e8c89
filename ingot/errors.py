"""Errors an operator can act on: each carries one line saying what failed and what to do."""


class IngotError(Exception):
    """An expected failure. The CLI prints ``str(error)`` on one line and exits with ``exit_code``."""

    exit_code = 1


class ConfigurationError(IngotError):
    exit_code = 2


class UnknownSite(ConfigurationError):
    """A site key no rule file defines: a configuration error, with the same message and status everywhere."""

    def __init__(self, key: str, sites_dir) -> None:
        super().__init__(f"no site {key!r} in {sites_dir}; `ingot sites` lists the keys")


class DatabaseUnavailable(IngotError):
    """The server cannot be reached, or went away: the message says where and why."""

    exit_code = 2


class DatabaseFailure(IngotError):
    """The server answered and refused (a full disk, a limit, a missing privilege): worded by its SQLSTATE."""

    exit_code = 2


class MigrationError(IngotError):
    exit_code = 3


class SiteRuleError(IngotError):
    """A site rule file is malformed; the message names the file and the key."""

    exit_code = 2

