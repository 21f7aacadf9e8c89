"""Airflow's long-running components (api-server, scheduler, workers...), started and stopped as one.

Each component runs in its own process group, so stopping it reaches everything it started (task supervisors,
task processes, Celery pool children, uvicorn workers). ``Components.run`` waits until one component exits or
the process is told to stop (SIGTERM, SIGINT, also while the components are still starting); leaving the ``with``
block stops every group: SIGTERM, a grace period, then SIGKILL for whatever is left. Linux: group members are read
from /proc.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

STOP_GRACE_SECONDS = 30
POLL_SECONDS = 0.5


@dataclass
class Component:
    name: str
    process: subprocess.Popen
    log_path: Path | None

    @property
    def group(self) -> int:
        return self.process.pid  # the leader of its own session and group


@dataclass
class Components:
    """Started components; a context manager that stops them all on exit, also after an error."""

    env: Mapping[str, str]
    started: list[Component] = field(default_factory=list)

    def start(self, name: str, command: Sequence[str], log_path: Path | None = None) -> Component:
        """Start ``command`` in a new session; its output goes to ``log_path`` (None: this process's own)."""
        output = None
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            output = log_path.open("ab")
        try:
            process = subprocess.Popen(list(command), env=dict(self.env), stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=subprocess.STDOUT if output else None, start_new_session=True)
        finally:
            if output is not None:
                output.close()
        component = Component(name, process, log_path)
        self.started.append(component)
        return component

    def exited(self) -> Component | None:
        """The first component whose main process has exited, if any."""
        return next((c for c in self.started if c.process.poll() is not None), None)

    def run(self) -> int:
        """Wait until a component exits, or until SIGTERM/SIGINT ends the ``with`` block around this call.

        Returns the exit code of the component that ended first (1 when it exited 0: a component is not supposed
        to end on its own); the ``with`` block then stops the others.
        """
        while True:
            ended = self.exited()
            if ended is not None:
                print(f"{ended.name} exited with code {ended.process.returncode}"
                      + (f"; see {ended.log_path}" if ended.log_path else ""), flush=True)
                return ended.process.returncode or 1
            time.sleep(POLL_SECONDS)

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM every group, wait up to ``grace`` seconds for all to empty, SIGKILL the rest."""
        groups = [c.group for c in self.started]
        stop_groups(groups, grace)
        for component in self.started:
            component.process.wait()

    def __enter__(self) -> Components:
        """From here on SIGTERM and SIGINT raise ``StopRequested``, during start-up as while running, so that
        leaving the block always stops what was started."""
        self._previous = {sig: signal.signal(sig, _raise_stop_requested) for sig in (signal.SIGTERM, signal.SIGINT)}
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        for sig in self._previous:
            signal.signal(sig, signal.SIG_IGN)  # stopping is not itself interrupted: it ends within the grace period
        try:
            self.stop()
        finally:
            for sig, handler in self._previous.items():
                signal.signal(sig, handler)
        return exc_type is StopRequested  # a requested stop is a normal end


class StopRequested(Exception):
    """SIGTERM or SIGINT arrived: stop every component."""


def _raise_stop_requested(signum, frame):
    raise StopRequested(signal.Signals(signum).name)


def stop_groups(groups: Sequence[int], grace: float = STOP_GRACE_SECONDS) -> None:
    """Stop process groups: SIGTERM, wait up to ``grace`` seconds until they have no member, then SIGKILL."""
    for group in groups:
        signal_group(group, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(group_members(g) for g in groups) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    for group in groups:
        signal_group(group, signal.SIGKILL)
    while any(group_members(g) for g in groups):  # SIGKILL cannot be ignored: this ends promptly
        time.sleep(0.1)


def signal_group(group: int, signum: int) -> None:
    try:
        os.killpg(group, signum)
    except (ProcessLookupError, PermissionError):
        pass


def group_members(group: int) -> list[int]:
    """Live processes of a process group (zombies awaiting their parent's wait() excluded)."""
    return [pid for pid, (state, pgid, _) in process_table().items() if pgid == group and state != "Z"]


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid``."""
    table = process_table()
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, (state, _, ppid) in table.items() if ppid == parent and state != "Z"]
        found.extend(children)
        frontier.extend(children)
    return found


def process_table() -> dict[int, tuple[str, int, int]]:
    """pid -> (state, process group, parent pid), from /proc."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # ended while we looked
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'
        fields = stat[stat.rindex(")") + 2:].split()
        table[int(entry.name)] = (fields[0], int(fields[2]), int(fields[1]))
    return table
