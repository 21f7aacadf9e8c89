"""Errors an operator can act on: each carries one line saying what failed and what to do."""


class IngotError(Exception):
    """An expected failure. The CLI prints ``str(error)`` on one line and exits with ``exit_code``."""

    exit_code = 1


class ConfigurationError(IngotError):
    exit_code = 2


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


class SearchQueryError(IngotError):
    """A search query ingot refuses (too long); the message says which limit."""

    exit_code = 2
