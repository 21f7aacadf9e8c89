"""Odd operator input through the real CLI: a bad setting, a rule file in the wrong encoding and an unknown site
key each end with one line saying what is wrong and the configuration status (2), never a traceback."""

from __future__ import annotations

import shutil

import pytest

from ingot.paths import SITES_DIR
from tests.test_cli import run_ingot

NO_DATABASE = {"INGOT_DATABASE_URL": "postgresql://ingot@127.0.0.1:1/none"}  # never reached by these commands


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5", "90 days", "९०"])
@pytest.mark.parametrize("command", [("sites",), ("retention", "--dry-run")])
def test_a_retention_period_that_is_not_a_whole_number_of_days_is_one_line(command, value):
    result = run_ingot(*command, env={**NO_DATABASE, "INGOT_RAW_RETENTION_DAYS": value})
    assert result.returncode == 2
    line = one_line(result)
    assert f"INGOT_RAW_RETENTION_DAYS={value!r}" in line and "whole number of days" in line


def test_a_news_time_zone_that_is_not_a_zone_is_one_line():
    result = run_ingot("sites", env={**NO_DATABASE, "INGOT_NEWS_TIMEZONE": "Mars/Olympus_Mons"})
    assert result.returncode == 2
    assert "INGOT_NEWS_TIMEZONE='Mars/Olympus_Mons'" in one_line(result)


def test_a_rule_file_that_is_not_utf8_names_the_byte(tmp_path):
    rule = (SITES_DIR / "cnmn.yaml").read_text(encoding="utf-8")
    shutil.copy(SITES_DIR / "cnmn.yaml", tmp_path / "cnmn.yaml")
    latin1 = "key: metaux\nname: Métaux Actualités\n" + rule.split("\n", 2)[2].replace("cnmn", "metaux")
    (tmp_path / "metaux.yaml").write_bytes(latin1.encode("latin-1", "replace"))
    result = run_ingot("sites", env={**NO_DATABASE, "INGOT_SITES_DIR": str(tmp_path)})
    assert result.returncode == 2
    offset = latin1.encode("latin-1", "replace").index(b"\xe9")
    assert one_line(result).endswith(f"{tmp_path / 'metaux.yaml'}: not UTF-8 (byte 0xe9 at offset {offset}, "
                                     "line 2); save the file as UTF-8")


@pytest.mark.parametrize("command", [("crawl", "--site", "no_such_site"), ("extract", "--site", "no_such_site"),
                                     ("run", "--site", "cnmn", "--site", "no_such_site")])
def test_an_unknown_site_is_the_same_configuration_error_in_every_command(command):
    result = run_ingot(*command, env={**NO_DATABASE, "INGOT_SITES_DIR": str(SITES_DIR)})
    assert result.returncode == 2
    assert one_line(result).endswith(f"no site 'no_such_site' in {SITES_DIR}; `ingot sites` lists the keys")


def test_an_output_that_fails_part_way_leaves_the_old_file_and_no_temporary(tmp_path):
    """A full disk met mid-write (raised here as the kernel raises it) leaves the target as it was."""
    import errno

    from ingot.output_file import OutputFailed, atomic_output

    target = tmp_path / "articles.csv"
    target.write_text("previous export\n")
    with pytest.raises(OutputFailed, match=f"^disk full writing {target}$"):
        with atomic_output(target) as out:
            out.write(b"half of a new export")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["articles.csv"]
