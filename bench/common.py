"""Shared benchmark plumbing: a throwaway migrated database, medians of repeated runs, a results table.

Benchmarks compare ratios measured in the same process, never absolute times across machines.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from ingot.database import start_embedded_server, stop_embedded_server
from ingot.migrations import upgrade
from ingot.paths import MIGRATIONS_DIR


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A fresh migrated database on INGOT_TEST_DATABASE_URL's server, or on an embedded one in a temp dir."""
    with tempfile.TemporaryDirectory(prefix="ingot-bench-") as tmp:
        server_url = os.environ.get("INGOT_TEST_DATABASE_URL") or start_embedded_server(Path(tmp) / "pg")
        name = f"ingot_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = make_conninfo(server_url, dbname=name)
        try:
            with psycopg.connect(url) as conn:
                upgrade(conn, MIGRATIONS_DIR)
            yield url
        finally:
            with psycopg.connect(server_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            if not os.environ.get("INGOT_TEST_DATABASE_URL"):
                stop_embedded_server(Path(tmp) / "pg")


def median_seconds(run: Callable[[], object], repeats: int = 3, setup: Callable[[], object] | None = None) -> float:
    """Median wall time of ``run`` over ``repeats`` runs, ``setup`` (untimed) before each."""
    times = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def print_table(title: str, header: list[str], rows: list[list[object]]) -> None:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for i, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
