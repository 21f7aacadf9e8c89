"""The analysts' way in: a login role that is a member of ingot_reader, and the URL psql and BI tools connect with.

ingot_reader itself cannot log in (it is what the login is granted); the login ``ingot_analyst`` sees the schema
``news`` first on its search path and has a statement timeout, so a runaway query from a BI tool ends by itself.
Its password comes from INGOT_READER_PASSWORD, else from a file in INGOT_HOME that the first call generates
(readable by its owner only). The server stores only its SCRAM verifier, computed here: the password itself never
travels in a statement (nor into the server's log).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from ingot.settings import Settings

READER_LOGIN = "ingot_analyst"
READER_ROLE = "ingot_reader"
STATEMENT_TIMEOUT = "60s"
PASSWORD_FILE = "reader-password"


def reader_password(settings: Settings) -> str:
    """INGOT_READER_PASSWORD, else the one kept in INGOT_HOME (created on first use, mode 0600)."""
    if settings.reader_password:
        return settings.reader_password
    path: Path = settings.home / PASSWORD_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24) + "\n", encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def ensure_reader_login(conn: psycopg.Connection, password: str) -> None:
    """Create or update the login: member of ingot_reader, this password, news first, statement and
    idle-in-transaction timeouts (role settings apply at login, so the reader role's own do not reach it)."""
    login = sql.Identifier(READER_LOGIN)
    verifier = conn.pgconn.encrypt_password(password.encode(), READER_LOGIN.encode(), b"scram-sha-256").decode()
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (READER_LOGIN,)).fetchone()
    if not exists:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(login))
    conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(READER_ROLE), login))
    conn.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(login, sql.Literal(verifier)))
    conn.execute(sql.SQL("ALTER ROLE {} SET search_path = news").format(login))
    conn.execute(sql.SQL("ALTER ROLE {} SET statement_timeout = {}").format(login, sql.Literal(STATEMENT_TIMEOUT)))
    conn.execute(sql.SQL("ALTER ROLE {} SET idle_in_transaction_session_timeout = '10min'").format(login))


def reader_url(database_url: str, password: str, *, host: str | None = None, port: int | None = None) -> str:
    """The URL of the same database for the login: over TCP when a host is named (or the URL has one), else over
    the embedded server's Unix socket. Pure."""
    params = conninfo_to_dict(database_url)
    host = host or params.get("host") or "localhost"
    port = port or (int(params["port"]) if params.get("port") else None)
    login = ":".join((quote(READER_LOGIN), quote(password, safe="")))
    database = quote(params.get("dbname") or "")
    if host.startswith("/"):
        query = f"host={quote(host, safe='/')}" + (f"&port={port}" if port else "")
        return f"postgresql://{login}@/{database}?{query}"
    return f"postgresql://{login}@{host}{f':{port}' if port else ''}/{database}"
