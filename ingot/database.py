"""Connections to the news database: the server named by INGOT_DATABASE_URL, or the embedded PostgreSQL.

The embedded server (the ``pgserver`` wheel) keeps running after the process that started it exits, so the
pipeline, the CLI and ``psql "$(ingot db url)"`` all reach the same server over its Unix socket.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from ingot.errors import DatabaseUnavailable
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
    except psycopg.ProgrammingError:
        return "an unparsable INGOT_DATABASE_URL"
    host = params.get("host") or "localhost"
    if host.startswith("/"):
        return f"the embedded server at {host} (database {params.get('dbname', '')})"
    port = params.get("port")
    where = f"{host}:{port}" if port else host
    return f"{where}/{params.get('dbname', '')}"


def redact(text: str, url: str) -> str:
    """``text`` with the URL's password removed, for error messages that quote a driver's reason."""
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.ProgrammingError:
        return text
    return text.replace(password, "***") if password else text


def connect(url: str, **kwargs) -> psycopg.Connection:
    """Open a connection, turning every way a connection can fail into one line an operator can act on."""
    try:
        return psycopg.connect(url, connect_timeout=10, **kwargs)
    except (psycopg.OperationalError, psycopg.ProgrammingError) as error:
        lines = [line.strip().rstrip(".") for line in str(error).splitlines() if line.strip()]
        reason = redact("; ".join(lines) or type(error).__name__, url)
        raise DatabaseUnavailable(
            f"cannot connect to the database at {describe_url(url)}: {reason}. "
            "Check INGOT_DATABASE_URL (unset it to use the embedded server) and that the server is running."
        ) from None

