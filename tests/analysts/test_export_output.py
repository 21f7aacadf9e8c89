"""``ingot export --output`` and stdout as a real subprocess: only a new or regular file is replaced, atomically;
odd targets, a closed pipe and a full disk end with one line (or quietly), never a traceback."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from tests.test_cli import run_ingot


def export_to(db_url, target, *extra):
    return run_ingot("export", "--format", "jsonl", "--output", str(target), *extra,
                     env={"INGOT_DATABASE_URL": db_url})


def assert_one_line(result, *fragments):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_a_regular_file_is_replaced_whole_keeping_its_mode(corpus, tmp_path):
    target = tmp_path / "articles.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    result = export_to(corpus.db_url, target)
    assert result.returncode == 0, result.stderr
    assert len(target.read_text().splitlines()) == len(corpus.ids)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.jsonl"]  # no temporary file left


def test_a_symbolic_link_is_refused_and_left_alone(corpus, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    link = tmp_path / "articles.jsonl"
    link.symlink_to(victim)
    result = export_to(corpus.db_url, link)
    assert result.returncode == 2
    assert_one_line(result, str(link), "symbolic link")
    assert link.is_symlink() and victim.read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.jsonl", "victim.txt"]


def test_a_directory_is_refused(corpus, tmp_path):
    result = export_to(corpus.db_url, tmp_path)
    assert result.returncode == 2
    assert_one_line(result, str(tmp_path), "a directory")


@pytest.mark.parametrize("device", ["/dev/full", "/dev/null"])
def test_a_device_is_refused(corpus, device):
    result = export_to(corpus.db_url, device)
    assert result.returncode == 2
    assert_one_line(result, device, "a device")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_fifo_is_refused_without_blocking_on_it(corpus, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = export_to(corpus.db_url, fifo)
    assert result.returncode == 2
    assert_one_line(result, str(fifo), "a FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_missing_folder_is_a_clear_error(corpus, tmp_path):
    target = tmp_path / "no" / "such" / "articles.jsonl"
    result = export_to(corpus.db_url, target)
    assert result.returncode == 2
    assert_one_line(result, str(tmp_path / "no" / "such"), "does not exist")
    assert not (tmp_path / "no").exists()


def test_a_file_as_the_folder_is_a_clear_error(corpus, tmp_path):
    (tmp_path / "plain").write_text("x")
    result = export_to(corpus.db_url, tmp_path / "plain" / "articles.jsonl")
    assert result.returncode == 2
    assert_one_line(result, "is not a directory")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_reader_leaving_early_ends_the_export_quietly(corpus, fmt):
    """`ingot export | head -1`: the pipe is closed before the export writes, so every write meets it closed."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, "-m", "ingot.cli", "export", "--format", fmt], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=120,
                                env={**os.environ, "INGOT_DATABASE_URL": corpus.db_url})
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 141


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_full_disk_on_stdout_is_one_line(corpus, fmt):
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "ingot.cli", "export", "--format", fmt], stdout=full,
                                stderr=subprocess.PIPE, text=True, timeout=120,
                                env={**os.environ, "INGOT_DATABASE_URL": corpus.db_url})
    assert result.returncode == 1
    assert_one_line(result, "disk full writing standard output")
