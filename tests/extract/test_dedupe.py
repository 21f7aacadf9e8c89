"""Hashes and near-duplicate fingerprints: stable across processes, robust to syndication framing."""

from __future__ import annotations

import subprocess
import sys

from extract import extract_article
from extract.dedupe import (fingerprint_to_int64, is_near_duplicate, normalised_text, shingles, similarity, simhash,
                            text_sha256)

from .seeds import FETCHED_AT, ROOT, SEED_PAGES


def article_text(key: str) -> str:
    page = SEED_PAGES[key]
    return extract_article(page.body(), page.url, fetched_at=FETCHED_AT, timezone=page.timezone).text


def test_normalised_text_ignores_width_case_and_spacing():
    assert normalised_text("ＡＢＣ  steel\u00a0Output\n") == normalised_text("abc steel output")
    assert text_sha256("Steel  output") == text_sha256("steel output")
    assert text_sha256("steel output") != text_sha256("steel outputs")


def test_syndicated_cjk_copy_is_a_near_duplicate():
    original = article_text("002")
    copy = ("中国有色金属报讯 本报记者报道\n" + original + "\n（本文来源：中国有色金属报，转载请注明出处）\n"
            "更多资讯请关注本网公众号。")
    assert is_near_duplicate(original, copy)


def test_syndicated_english_copy_is_a_near_duplicate():
    original = article_text("004")
    copy = "By our correspondent. Reprinted from CISA.\n" + original + "\nSubscribe to our newsletter for more."
    assert is_near_duplicate(original, copy)


def test_unrelated_articles_are_not():
    assert not is_near_duplicate(article_text("002"), article_text("001"))
    assert not is_near_duplicate(article_text("004"), article_text("003"))
    assert similarity(simhash(article_text("002")), simhash(article_text("001"))) < 0.8


def test_a_traditional_mirror_is_an_exact_copy_of_its_simplified_original():
    traditional, simplified = article_text("000"), article_text("000-cnmn")
    assert traditional != simplified
    assert text_sha256(traditional) == text_sha256(simplified) and simhash(traditional) == simhash(simplified)
    assert normalised_text("中鋁集團 國際鋁業協會") == normalised_text("中铝集团 国际铝业协会")


def test_fingerprint_is_the_same_in_another_process():
    text = article_text("001")
    code = f"from extract.dedupe import simhash; print(simhash({text!r}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                         env={"PYTHONHASHSEED": "12345"})
    assert int(out.stdout) == simhash(text)


def test_int64_form_fits_bigint():
    for value in (0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1):
        assert -(1 << 63) <= fingerprint_to_int64(value) < 1 << 63
    assert fingerprint_to_int64((1 << 64) - 1) == -1


def test_shingles_are_word_trigrams_or_cjk_character_fourgrams_and_a_short_text_is_its_own():
    assert shingles("Steel output rose, sharply!") == ["steel output rose", "output rose sharply"]
    assert shingles("钢铁价格上涨") == ["钢铁价格", "铁价格上", "价格上涨"]
    assert shingles("Steel rose") == ["steel rose"]
    assert shingles("钢铁") == ["钢铁"]
    assert shingles("") == [""]

