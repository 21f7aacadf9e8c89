"""No database password in any message, for any INGOT_DATABASE_URL, whether the driver can parse it or not.

Each URL runs the real ``ingot`` command (a fresh process, as an operator runs it) with commands that open the
database; every host is 127.0.0.1 or a socket path, so nothing leaves the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ingot.database import redact
from ingot.errors import ConfigurationError, DatabaseUnavailable
from ingot.paths import PROJECT_ROOT

# URL -> (password, or the parts of it that must never show; the start of the one-line message)
CANNOT_BE_READ = "INGOT_DATABASE_URL cannot be read"
CANNOT_CONNECT = "cannot connect to the database"
URLS = {
    "sqlalchemy-driver": ("postgresql+psycopg://u:Secret-1@127.0.0.1/db", ["Secret-1"], CANNOT_BE_READ),
    "mysql": ("mysql://u:Secret-2@127.0.0.1/db", ["Secret-2"], CANNOT_BE_READ),
    "bad-percent-escape": ("postgresql://u:se%zzcret@127.0.0.1/db", ["se%zzcret", "zzcret"], CANNOT_BE_READ),
    "leading-space": (" postgresql://u:Secret-4@127.0.0.1/db", ["Secret-4"], CANNOT_BE_READ),
    "unclosed-ipv6-bracket": ("postgresql://u:Secret-5@[bad/db", ["Secret-5"], CANNOT_BE_READ),
    "space-in-password": ("postgres://u:sec ret-6@127.0.0.1/db", ["sec ret-6", "ret-6"], CANNOT_BE_READ),
    "conninfo-unterminated-quote": ("password=Secret-7 host='unterminated", ["Secret-7"], CANNOT_BE_READ),
    "conninfo-quoted-password": ("password='Sec ret-8' host=/nonexistent-ingot dbname=x", ["Sec ret-8", "ret-8"],
                                 CANNOT_CONNECT),
    "conninfo-no-server": ("host=/nonexistent-ingot password=Secret-9 dbname=x", ["Secret-9"], CANNOT_CONNECT),
    "refused-port": ("postgresql://u:Secret-10@127.0.0.1:1/db", ["Secret-10"], CANNOT_CONNECT),
    "port-not-a-number": ("postgresql://u:Secret-11@127.0.0.1:notaport/db", ["Secret-11"], CANNOT_CONNECT),
    "password-in-query": ("postgresql://u@127.0.0.1:1/db?password=Secret-12", ["Secret-12"], CANNOT_CONNECT),
    "bad-sslmode": ("postgresql://u:Secret-13@127.0.0.1:1/db?sslmode=bogus", ["Secret-13"], CANNOT_CONNECT),
    "percent-encoded": ("postgresql://u:Se%63ret-14@127.0.0.1:1/db", ["Secret-14", "Se%63ret-14"], CANNOT_CONNECT),
    "newline-pasted-along": ("postgresql://u:Secret-15@127.0.0.1:1/db\n", ["Secret-15"], CANNOT_BE_READ),
    # a byte that is not UTF-8 reaches Python as a lone surrogate
    "not-utf8": ("postgresql://u:Secret-16\udcff@127.0.0.1:1/db", ["Secret-16"], CANNOT_BE_READ),
}
# Commands that open the database first thing: every URL with the schema upgrade; an extraction and a search
# (the same connect, started after loading sites or parsing a query) with one URL of each kind.
RUNS = [(case, ["db", "upgrade"]) for case in URLS] + [
    (case, command) for case in ("sqlalchemy-driver", "refused-port")
    for command in (["extract", "--workers", "1"], ["search", "aluminium"])
]


def run_ingot(command: list[str], url: str, tmp_path) -> subprocess.CompletedProcess:
    (tmp_path / "sites").mkdir(exist_ok=True)
    env = dict(os.environ, INGOT_DATABASE_URL=url, INGOT_HOME=str(tmp_path / "home"),
               INGOT_SITES_DIR=str(tmp_path / "sites"), PYTHONPATH=str(PROJECT_ROOT))
    return subprocess.run([sys.executable, "-m", "ingot.cli", *command], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case, command", RUNS, ids=[f"{case}-{command[0]}" for case, command in RUNS])
def test_no_password_in_any_output_and_one_clear_line_for_a_url_that_cannot_be_used(case, command, tmp_path):
    url, secrets, message = URLS[case]
    result = run_ingot(command, url, tmp_path)
    for secret in secrets:
        assert secret not in result.stdout and secret not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ingot {command[0]}: {message}"), result.stderr
    # exit code 2: configuration and database-unavailable errors (ingot.errors)
    assert result.returncode == ConfigurationError.exit_code == DatabaseUnavailable.exit_code == 2
    assert result.stdout == ""


def test_the_message_says_what_is_wrong_with_the_url(tmp_path):
    def message(url):
        return run_ingot(["db", "upgrade"], url, tmp_path).stderr

    assert "names a SQLAlchemy driver; write 'postgresql://'" in message("postgresql+psycopg://u:pw@127.0.0.1/db")
    assert "'mysql://' is not PostgreSQL" in message("mysql://u:pw@127.0.0.1/db")
    assert "starts or ends with white space" in message(" postgresql://u:pw@127.0.0.1/db")
    assert "invalid percent-encoded token" in message("postgresql://u:p%zzw@127.0.0.1/db")
    assert "holds a control character (U+000A) at position 33" in message("postgresql://u:pw@127.0.0.1:1/db\nx")


@pytest.mark.parametrize("text, url", [
    ('missing "=" after "postgresql+psycopg://u:Secret@h/db"', "postgresql+psycopg://u:Secret@h/db"),
    ('invalid percent-encoded token: "Se%zzcret"', "postgresql://u:Se%zzcret@h/db"),
    ("could not connect with password=Secret host=h", "host=h password=Secret"),
    ("could not connect with password='Sec ret' host=h", "host=h password='Sec ret'"),
    ('unexpected spaces found in "Sec ret"', "postgres://u:Sec ret@h/db"),
    # a message quoting another URL than the configured one still loses its password
    ("retrying postgresql://other:Secret@h2/db", "postgresql://u:pw@h/db"),
])
def test_redact_removes_the_password_from_any_message(text, url):
    assert "Secret" not in redact(text, url) and "Sec ret" not in redact(text, url)
    assert "***" in redact(text, url)
