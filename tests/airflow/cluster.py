"""A Celery set-up on loopback, started as an operator would: Redis, `ingot airflow control`, `ingot airflow worker`s.

Every process runs in its own process group; ``stop`` asks the ingot commands to stop (SIGTERM), records what
they left behind, then kills every group it knows of, so nothing outlives the test, also when it fails. Waits are
bounded and generous (the machine may be slow and busy): they fail with what was awaited and the logs' last lines,
never by racing a timeout against a result.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import psycopg

from ingot.airflow_processes import Components, descendants, group_members, process_table, stop_groups

READY_TIMEOUT = 900  # migrations and start-up of every component on a slow machine
RUN_TIMEOUT = 1500


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path: Path | None, lines: int = 25) -> str:
    if path is None or not path.is_file():
        return f"({path}: no log)"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return f"--- {path} ---\n" + "\n".join(text[-lines:])


class Cluster:
    def __init__(self, root: Path, env: dict[str, str]):
        """``env``: the environment of every command, read at each start (a caller may add to it between them)."""
        self.root = root
        self.env = env
        self.components = Components(self.env)
        self.logs: dict[str, Path] = {}

    # --- starting -------------------------------------------------------------------------------------------------

    def start_redis(self) -> str:
        executable = shutil.which("redis-server")
        if executable is None:
            raise AssertionError("redis-server is not installed: the Celery end-to-end test needs Debian's "
                                 "redis-server package (`apt-get install redis-server`; .ci/run installs it)")
        port = free_port()
        data = self.root / "redis"
        data.mkdir()
        self.start("redis", [executable, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--dir", str(data)])
        self.wait_for(f"Redis on 127.0.0.1:{port}", lambda: redis_answers(port), ["redis"], timeout=60)
        return f"redis://127.0.0.1:{port}/0"

    def start_ingot(self, name: str, *args: str) -> None:
        self.start(name, [sys.executable, "-m", "ingot.cli", "airflow", *args])

    def start(self, name: str, command: list[str]) -> None:
        self.logs[name] = self.root / f"{name}.log"
        self.components.start(name, command, self.logs[name])

    # --- waiting --------------------------------------------------------------------------------------------------

    def wait_for(self, what: str, ready: Callable[[], bool], watched: list[str], timeout: float = READY_TIMEOUT,
                 logs: list[Path] = ()) -> None:
        """Poll ``ready`` until it holds; fail when a watched process exits or after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            for component in self.components.started:
                if component.name in watched and component.process.poll() is not None:
                    raise AssertionError(f"{component.name} exited with code {component.process.returncode} "
                                         f"while waiting for {what}\n{self.tails(logs)}")
            time.sleep(2)
        raise AssertionError(f"gave up waiting for {what} after {timeout:g} s\n{self.tails(logs)}")

    def tails(self, extra: list[Path] = ()) -> str:
        return "\n".join(tail(path) for path in [*self.logs.values(), *extra])

    # --- stopping -------------------------------------------------------------------------------------------------

    def stop(self, grace: float = 180) -> dict:
        """SIGTERM the ingot commands and Redis; their exit codes and the processes they left (should be none)."""
        groups = self.groups()
        for component in self.components.started:
            if component.process.poll() is None:
                component.process.terminate()
        deadline = time.monotonic() + grace
        for component in self.components.started:
            try:
                component.process.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        codes = {c.name: c.process.poll() for c in self.components.started}
        left = sorted(pid for group in groups for pid in group_members(group))
        self.kill_everything(groups)
        return {"exit_codes": codes, "left_behind": left, "groups": sorted(groups)}

    def groups(self) -> set[int]:
        """The process groups of the commands and of the components they started (each in a group of its own)."""
        groups = {component.group for component in self.components.started}
        table = process_table()
        for component in self.components.started:
            groups |= {table[pid][1] for pid in descendants(component.process.pid) if pid in table}
        return groups

    def kill_everything(self, groups: set[int] | None = None) -> None:
        """Stop every group still running, the components' before their commands are gone (also after a failure)."""
        stop_groups(sorted(self.groups() | (groups or set())), grace=60)
        for component in self.components.started:
            component.process.wait()


def listening(pids: list[int]) -> set[tuple[str, int]]:
    """The TCP addresses (IPv4 "a.b.c.d" or IPv6 "::..." as /proc shows them, port) these processes listen on."""
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    found = set()
    for table, ipv6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.split(":")
                found.add((decode_address(address, ipv6), int(port, 16)))
    return found


def decode_address(hex_address: str, ipv6: bool) -> str:
    raw = bytes.fromhex(hex_address)
    if not ipv6:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def metadata_query(url: str, query: str, params: tuple = ()) -> list[tuple]:
    """Rows of Airflow's metadata database; none while its tables do not exist yet."""
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()
    except (psycopg.errors.UndefinedTable, psycopg.OperationalError):
        return []


def trigger(env: Mapping[str, str], run_id: str, conf: dict) -> None:
    """Trigger ingot_daily with the control host's Airflow CLI, as an operator would."""
    result = subprocess.run([sys.executable, "-m", "airflow", "dags", "trigger", "ingot_daily", "--run-id", run_id,
                             "--conf", json.dumps(conf)], env=dict(env), capture_output=True, text=True,
                            timeout=300, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
