"""``ingot extract-files``: JSON lines in, one JSON line out per input, in order, on several processes."""

import json
import subprocess
import sys
from datetime import datetime

from tests.store.test_extraction_job import STORY_EN, STORY_ZH, article_html, list_html


def run_extract_files(lines, workers="2"):
    result = subprocess.run(
        [sys.executable, "-m", "ingot.cli", "extract-files", "--workers", workers],
        input="".join(lines), capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_answers_each_line_in_order_with_article_fields_or_a_reason(tmp_path):
    zh = tmp_path / "zh.html"
    zh.write_bytes(article_html("中铝集团董事长会见国际铝业协会秘书长", STORY_ZH, date="2025-01-27T11:28:00+08:00",
                                sidebar="", lang="zh-CN").decode().replace('charset="utf-8"', 'charset="gbk"')
                   .encode("gb18030"))
    en = tmp_path / "en.html"
    en.write_bytes(article_html("July 2026 crude steel production", STORY_EN, date="2026-08-22T10:00:00+00:00",
                                sidebar="", lang="en"))
    listing = tmp_path / "list.html"
    listing.write_bytes(list_html())
    requests = [
        {"path": str(zh), "url": "https://a.example/1.html"},
        {"path": str(tmp_path / "missing.html"), "url": "https://a.example/2.html"},
        {"path": str(en), "url": "https://b.example/steel.html", "encoding": "utf-8"},
        {"path": str(listing), "url": "https://b.example/news/"},
    ]
    lines = [json.dumps(r) + "\n" for r in requests] + ["not json\n"]
    answers = run_extract_files(lines)
    assert [a["path"] for a in answers] == [r["path"] for r in requests] + [None]
    zh_answer, missing, en_answer, list_answer, bad = answers
    assert zh_answer["ok"] is True and zh_answer["title"] == "中铝集团董事长会见国际铝业协会秘书长"
    assert STORY_ZH[1] in zh_answer["text"] and "\ufffd" not in zh_answer["text"]
    assert datetime.fromisoformat(zh_answer["published_at"]) == datetime.fromisoformat("2025-01-27T11:28:00+08:00")
    assert zh_answer["language"] == "zh-Hans" and isinstance(zh_answer["authors"], list)
    assert missing == {"path": requests[1]["path"], "url": requests[1]["url"], "ok": False,
                       "reason": "unreadable: No such file or directory"}
    assert en_answer["ok"] is True and en_answer["language"] == "en"
    assert list_answer["ok"] is False and list_answer["reason"]
    assert bad["ok"] is False and bad["reason"].startswith("bad_input")


def test_one_process_and_many_give_the_same_answers(tmp_path):
    page = tmp_path / "en.html"
    page.write_bytes(article_html("Steel output", STORY_EN, date="2026-08-22T10:00:00+00:00", sidebar="", lang="en"))
    lines = [json.dumps({"path": str(page), "url": f"https://b.example/{i}.html"}) + "\n" for i in range(6)]
    assert run_extract_files(lines, workers="1") == run_extract_files(lines, workers="2")
