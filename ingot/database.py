"""Connections to the news database: the server named by INGOT_DATABASE_URL, or the embedded PostgreSQL.

The embedded server (the ``pgserver`` wheel) keeps running after the process that started it exits, so the
pipeline, the CLI and ``psql "$(ingot db url)"`` all reach the same server over its Unix socket.
"""

from __future__ import annotations

import os
import re
import unicodedata
import warnings
from pathlib import Path
from urllib.parse import unquote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from ingot.errors import ConfigurationError, DatabaseFailure, DatabaseUnavailable
from ingot.settings import Settings

EMBEDDED_DATABASE = "ingot"


def resolve_database_url(settings: Settings) -> str:
    """The URL of the database in use, starting the embedded server if no URL is configured."""
    if settings.database_url:
        return settings.database_url
    return start_embedded_server(settings.embedded_data_dir, listen=settings.listen)


def start_embedded_server(data_dir: Path, listen: str | None = None) -> str:
    """Start (or reuse) the embedded PostgreSQL under ``data_dir`` and return its URL; with ``listen``
    (INGOT_LISTEN), make it listen on that loopback port too (ingot.embedded_listen)."""
    with warnings.catch_warnings():
        # pgserver asks platformdirs for a runtime dir at import; the fallback warning is noise for operators
        warnings.simplefilter("ignore", UserWarning)
        import pgserver  # imported here: starting a server is an edge, and the import is slow

    from ingot.embedded_listen import listen_on, parse_listen

    address = parse_listen(listen) if listen else None
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(data_dir, cleanup_mode=None)
        if address:
            listen_on(server.pgdata, *address)
    except Exception as error:  # pgserver raises CalledProcessError, TimeoutExpired, AssertionError...
        raise DatabaseUnavailable(
            f"could not start the embedded PostgreSQL in {data_dir}: {type(error).__name__}; "
            f"see {data_dir / 'log'} or set INGOT_DATABASE_URL to use another server"
        ) from None
    ensure_database(embedded_url(server.pgdata), EMBEDDED_DATABASE)
    return embedded_url(server.pgdata, EMBEDDED_DATABASE)


def embedded_url(data_dir: Path, database: str | None = None) -> str:
    """The socket URL of the embedded server running under ``data_dir``, read from its postmaster.pid (so that it
    names the port when the server listens on another than 5432)."""
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir)
    url = info.get_uri(database=database)
    return f"{url}&port={info.port}" if info.port and info.port != 5432 and "?host=" in url else url


def stop_embedded_server(data_dir: Path) -> None:
    """Stop the embedded PostgreSQL under ``data_dir`` if it runs (a throwaway server of tests or benchmarks)."""
    from pgserver._commands import pg_ctl

    if (data_dir / "postmaster.pid").exists():
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=data_dir, user="pgserver" if os.geteuid() == 0 else None)


def ensure_database(maintenance_url: str, name: str) -> None:
    """Create database ``name`` on the server of ``maintenance_url`` unless it exists."""
    with connect(maintenance_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def describe_url(url: str) -> str:
    """``host:port/dbname`` of a URL, for messages: never the password or the user."""
    try:
        params = conninfo_to_dict(url)
    except (psycopg.ProgrammingError, UnicodeError):
        return "an unparsable INGOT_DATABASE_URL"
    host = params.get("host") or "localhost"
    if host.startswith("/"):
        return f"the embedded server at {host} (database {params.get('dbname', '')})"
    port = params.get("port")
    where = f"{host}:{port}" if port else host
    return f"{where}/{params.get('dbname', '')}"


# ``scheme://user:password@``, wherever a message quotes a URL; and ``password=...`` of key=value conninfo or of a
# URL's query string (quoted, with escapes, or up to the next space or &).
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s/]*@")
_KEYWORD_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?:'(?:[^'\\]|\\.)*'?|[^\s&]*)", re.IGNORECASE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def passwords_in(url: str) -> set[str]:
    """Every string of ``url`` that may be its password, whether or not the driver can parse it: the parsed
    password, the userinfo's second half (up to the last ``@``) and ``password=`` values, raw and unescaped."""
    found: set[str] = set()
    try:
        found.add(conninfo_to_dict(url).get("password") or "")
    except (psycopg.ProgrammingError, UnicodeError):
        pass
    scheme = _SCHEME.match(url.strip())
    if scheme:
        authority = url.strip()[scheme.end():]
        userinfo = authority.rpartition("@")[0]
        if ":" in userinfo:
            found.add(userinfo.partition(":")[2])
    for match in _KEYWORD_PASSWORD.finditer(url):
        value = match.group(0)[len(match.group("head")):]
        found.add(value)
        found.add(value.strip("'").replace("\\'", "'").replace("\\\\", "\\"))
    found |= {unquote(candidate) for candidate in found}
    return {candidate for candidate in found if candidate}


def redact(text: str, url: str) -> str:
    """``text`` without the URL's password, for messages that quote a driver's reason or the URL itself: every
    candidate of ``passwords_in`` becomes ``***``, and so does any password a quoted URL or conninfo shows."""
    for secret in sorted(passwords_in(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _URL_PASSWORD.sub(r"\g<head>***@", text)
    return _KEYWORD_PASSWORD.sub(r"\g<head>***", text)


def url_problem(url: str) -> str | None:
    """Why ``url`` is no connection string the driver can read, in words an operator can act on; None if it is.

    A control character (a newline pasted along) is refused even where the driver would take it as part of a
    name, as are bytes that are not UTF-8 (the environment passes them through as lone surrogates)."""
    for position, character in enumerate(url):
        if unicodedata.category(character) in ("Cc", "Cs"):
            what = "a byte that is not UTF-8" if "\ud800" <= character <= "\udfff" else "a control character"
            return f"it holds {what} (U+{ord(character):04X}) at position {position + 1}; remove it"
    try:
        conninfo_to_dict(url)
        return None
    except psycopg.ProgrammingError as error:
        reason = _one_line(error)
    scheme = _SCHEME.match(url.strip())
    if url != url.strip():
        return "it starts or ends with white space; remove it"
    if scheme and scheme.group(1).lower() not in ("postgresql", "postgres"):
        name = scheme.group(1)
        if name.lower().partition("+")[0] in ("postgresql", "postgres"):
            return f"'{name}://' names a SQLAlchemy driver; write 'postgresql://'"
        return f"'{name}://' is not PostgreSQL; ingot needs a 'postgresql://' URL"
    return redact(reason, url)


def connect(url: str, **kwargs) -> psycopg.Connection:
    """Open a connection, turning every way a connection can fail into one line an operator can act on: a URL
    the driver cannot read is a configuration error, a server not reached is unavailable, and a server that
    answers with an error (a full disk, no free connection slot) is worded by its SQLSTATE."""
    problem = url_problem(url)
    if problem:
        raise ConfigurationError(
            f"INGOT_DATABASE_URL cannot be read: {problem}. Expected postgresql://user:password@host:port/dbname "
            "or key=value pairs (host=... dbname=...); unset it to use the embedded server"
        )
    try:
        return psycopg.connect(url, connect_timeout=10, **kwargs)
    except psycopg.Error as error:
        if not is_connection_failure(error):
            raise database_failure(error, url) from None
        raise DatabaseUnavailable(
            f"cannot connect to the database at {describe_url(url)}: {redact(_one_line(error), url)}. "
            "Check INGOT_DATABASE_URL (unset it to use the embedded server) and that the server is running."
        ) from None


# SQLSTATE classes that mean the server was not reached or not usable as a connection: connection exceptions,
# authentication, a database that does not exist, and a server shutting down or starting (57P..., but not 57014,
# a statement cancelled by a timeout). Errors without an SQLSTATE come from the client side of the connection.
_CONNECTION_STATES = ("08", "28", "3D", "57P")

# What each SQLSTATE (or class, by its first two characters) says, and what to do about it.
_CONDITIONS = {
    "53100": ("the server's disk is full", "free space on the database server's data volume, then rerun"),
    "53200": ("the server ran out of memory", "lower the server's load or raise its memory, then rerun"),
    "53300": ("the server has no free connection slots", "close idle sessions or raise max_connections"),
    "53": ("the server ran out of resources", "see the server's log, then rerun"),
    "54": ("a value is over one of the server's limits", "see the server's log for the statement"),
    "22": ("the server refused a value", "see the message for the value"),
    "23": ("the server refused a row that breaks a constraint", "see the message for the constraint"),
    "57014": ("a statement was cancelled (statement_timeout or an operator)", "rerun; raise statement_timeout "
              "for this role if it keeps happening"),
    "40": ("the transaction was rolled back by the server (deadlock or serialization)", "rerun"),
    "42501": ("the role lacks a privilege", "connect as the role that owns the schema"),
    "42": ("the schema does not match this version of ingot", "run `ingot db upgrade`"),
    "58": ("the server hit a system error (I/O)", "see the server's log"),
    "XX": ("the server hit an internal error", "see the server's log"),
}


def is_connection_failure(error: BaseException) -> bool:
    """Whether ``error`` says the server was not reached (or went away), as opposed to a server that answered
    and refused something: told by the error's SQLSTATE class, never by its wording."""
    state = getattr(error, "sqlstate", None)
    return state is None or state.startswith(_CONNECTION_STATES)


def database_failure(error: psycopg.Error, url: str) -> DatabaseFailure:
    """One line for an error the server answered with, worded by its SQLSTATE: what happened, the server's own
    reason (without the password) and what to do."""
    state = error.sqlstate or ""
    condition, action = _CONDITIONS.get(state) or _CONDITIONS.get(state[:2]) or ("the server refused a statement",
                                                                                 "see the server's log")
    return DatabaseFailure(f"the database at {describe_url(url)} failed: {condition} ({type(error).__name__}, "
                           f"SQLSTATE {state or 'unknown'}): {redact(_one_line(error), url)}. {action[0].upper()}"
                           f"{action[1:]}.")


def _one_line(error: BaseException) -> str:
    lines = [line.strip().rstrip(".") for line in str(error).splitlines() if line.strip()]
    return "; ".join(lines) or type(error).__name__
