"""A TCP listener on 127.0.0.1 for the embedded PostgreSQL, so that BI tools (which speak TCP, not Unix sockets)
can reach it with the analysts' login.

pgserver starts the server on its Unix socket only. When INGOT_LISTEN names a port, the server is restarted once
with that port on the loopback address; connections over TCP must then give a password (scram-sha-256), so the
passwordless superuser of the socket is not reachable through the port. Restarting drops the sessions open at
that moment: it happens only when the listener is switched on or its port changes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ingot.errors import ConfigurationError

LOOPBACK = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1"}
LISTEN = re.compile(r"^(?:(?P<host>[^:]+):)?(?P<port>\d{1,5})$")
HBA = """# Written by ingot (INGOT_LISTEN): the socket trusts local users, TCP asks for a password.
local   all             all                                     trust
host    all             all             127.0.0.1/32            scram-sha-256
host    all             all             ::1/128                 scram-sha-256
"""


def parse_listen(value: str) -> tuple[str, int]:
    """``PORT`` or ``127.0.0.1:PORT`` (or ``localhost:PORT``) → (address, port); anything else is refused."""
    match = LISTEN.match(value.strip())
    port = int(match.group("port")) if match else 0
    host = LOOPBACK.get((match.group("host") or "127.0.0.1") if match else "")
    if not match or host is None or not 1024 <= port <= 65535:
        raise ConfigurationError(
            f"INGOT_LISTEN={value!r}: give a port (1024-65535), optionally as 127.0.0.1:PORT; the embedded server "
            "listens on the loopback address only (use docker-compose to serve other machines)"
        )
    return host, port


def listen_on(data_dir: Path, host: str, port: int) -> None:
    """Make the running embedded server under ``data_dir`` listen on ``host:port`` (restarting it if it does not)."""
    from pgserver._commands import pg_ctl
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir)
    hba = data_dir / "pg_hba.conf"
    if info is not None and info.hostname == host and info.port == port and hba.read_text() == HBA:
        return
    user = "pgserver" if os.geteuid() == 0 else None
    hba.write_text(HBA)
    socket_dir = info.socket_dir if info is not None and info.socket_dir else data_dir
    if info is not None and info.is_running():
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=data_dir, user=user)
    pg_ctl(["-w", "-o", f'-h "{host}"', "-o", f"-p {port}", "-o", f"-k {socket_dir}", "-l", str(data_dir / "log"),
            "start"], pgdata=data_dir, user=user, timeout=30)
