"""The devbench scoring rules, on small hand-made cases."""

import pytest

from bench.quality_score import (authors_f1, body_score, same_day, shingles, snippet_counts, title_exact,
                                 tokens)


def test_tokens_split_words_and_cut_cjk_and_thai_into_characters():
    assert tokens("Steel output, ROSE 5%!") == ["steel", "output", "rose", "5"]
    assert tokens("钢铁产量 rose") == ["钢", "铁", "产", "量", "rose"]
    assert tokens("ราคาเหล็ก") == list("ราคาเหล็ก")
    assert tokens("ｓｔｅｅｌ ＡＢ") == ["steel", "ab"]  # NFKC folds full-width letters
    assert tokens("カタカナとひらがな") == list("カタカナとひらがな")


def test_shingles_are_a_multiset_of_four_tokens():
    assert sum(shingles("a b c d e").values()) == 2
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2
    assert shingles("a b") == {("a", "b"): 1}  # shorter than a shingle: one shingle of all tokens
    assert shingles("  ,. ") == {}


def test_body_score_precision_recall_f1():
    gold = "one two three four five six"  # 3 shingles
    exact = body_score(gold, gold)
    assert (exact.precision, exact.recall, exact.f1) == (1.0, 1.0, 1.0)
    half = body_score("one two three four five", gold)  # 2 of 3 shingles, all right
    assert half.precision == 1.0 and half.recall == pytest.approx(2 / 3) and half.f1 == pytest.approx(0.8)
    noisy = body_score(gold + " menu home login", gold)  # 6 shingles predicted, 3 right
    assert noisy.recall == 1.0 and noisy.precision == pytest.approx(0.5)
    assert body_score("", gold).f1 == 0.0 and body_score(None, gold).f1 == 0.0
    assert body_score("ONE two, three four five six.", gold).f1 == 1.0  # case and punctuation ignored


def test_snippets_ignore_case_and_whitespace_and_count_leaks():
    counts = snippet_counts("The price  of\nSteel rose.\nShare this", ["price of steel", "fell"],
                            ["share THIS", "newsletter"])
    assert (counts.true_positive, counts.false_negative, counts.false_positive) == (1, 1, 1)
    assert counts.missed == ("fell",) and counts.leaked == ("share THIS",)
    total = counts + snippet_counts("fell", ["fell"], [])
    score = total.score()
    assert total.true_positive == 2 and score.precision == pytest.approx(2 / 3) and score.recall == pytest.approx(2 / 3)
    assert snippet_counts(None, ["x"], ["y"]).false_negative == 1


def test_title_date_and_authors():
    assert title_exact("  Steel  Prices ", "steel prices") and not title_exact("Steel prices | Site", "Steel prices")
    assert not title_exact(None, None)
    assert same_day("2024-03-05T23:30:00+01:00", "2024-03-05") and not same_day("2024-03-06", "2024-03-05")
    assert not same_day(None, "2024-03-05")
    assert authors_f1(["Jane Doe"], ["jane doe"]) == 1.0
    assert authors_f1(["Jane Doe", "Reuters"], ["Jane Doe"]) == pytest.approx(2 / 3)
    assert authors_f1(["Doe"], ["Jane Doe"]) == 1.0  # containment matches
    assert authors_f1([], ["Jane Doe"]) == 0.0 and authors_f1([], []) == 1.0
