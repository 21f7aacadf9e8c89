"""A PostgreSQL server of the reliability tests' own (embedded, in a temporary folder), which they may stop, start
and restart under a running crawl or extraction without disturbing the session's shared server."""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ingot.database import start_embedded_server
from ingot.migrations import upgrade
from ingot.paths import MIGRATIONS_DIR


class DisposableServer:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.maintenance_url = make_conninfo(start_embedded_server(data_dir), dbname="postgres")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            import pgserver
        self.system_user = pgserver.get_server(data_dir, cleanup_mode=None).system_user
        self.socket_dir = conninfo_to_dict(self.maintenance_url)["host"]

    def new_database(self) -> str:
        name = f"ingot_fault_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.maintenance_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = make_conninfo(self.maintenance_url, dbname=name)
        with psycopg.connect(url) as conn:
            upgrade(conn, MIGRATIONS_DIR)
        return url

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(list(args), pgdata=self.data_dir, user=self.system_user, timeout=30)

    def stop(self) -> None:
        """Stop at once: open sessions are cut, new connections are refused."""
        self._pg_ctl("-w", "-m", "immediate", "stop")

    def start(self) -> None:
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.data_dir / "log"), "start")

    def is_running(self) -> bool:
        try:
            psycopg.connect(self.maintenance_url, connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            return False
