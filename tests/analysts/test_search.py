"""Search in every language, through the SQL function analysts call and the `ingot search` command."""

import datetime

import psycopg
import pytest

from ingot.search import fetch_search_results, fold_chinese, fold_table, ngram_terms, search_parts, tsvector_literal


def search_ids(db_url, query, **options):
    with psycopg.connect(db_url) as conn:
        return [r.article_id for r in fetch_search_results(conn, query, **options)]


def test_fold_turns_traditional_into_simplified_and_leaves_other_scripts():
    assert fold_chinese("中鋁集團 國際鋁業協會 綠色低碳") == "中铝集团 国际铝业协会 绿色低碳"
    assert fold_chinese("Économie เหล็ก 电解铝") == "Économie เหล็ก 电解铝"


def test_fold_is_idempotent():
    folded = fold_chinese("".join(fold_table()))
    assert fold_chinese(folded) == folded


def test_sql_fold_agrees_with_python_fold_on_every_character(db_url):
    characters = "".join(fold_table())
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT fold_chinese(%s)", (characters,)).fetchone()[0] == fold_chinese(characters)


def test_han_and_thai_runs_become_bigrams_then_their_last_character():
    assert ngram_terms("电解铝") == ["电解", "解铝", "铝"]
    assert ngram_terms("铝") == ["铝"]
    parts = search_parts("鋁價 rose เหล็ก")
    assert parts.ngrams == ["铝价", "价", "เห", "หล", "ล็", "็ก", "ก"]
    assert parts.latin.split() == ["rose"]


def test_tsvector_literal_groups_positions():
    assert tsvector_literal(["电解", "解铝", "铝", "电解"]) == "'电解':1,4 '解铝':2 '铝':3"


def test_query_builder_makes_phrases_of_chinese_and_stems_latin(db_url):
    with psycopg.connect(db_url) as conn:
        query = conn.execute("SELECT search_tsquery('電解鋁 碳排放')::text").fetchone()[0]
        assert query == "'电解' <-> '解铝' & '碳排' <-> '排放'"
        assert conn.execute("SELECT search_tsquery('铝')::text").fetchone()[0] == "'铝':*"
        assert "'recycl'" in conn.execute("SELECT search_tsquery('recyclées')::text").fetchone()[0]
        assert conn.execute("SELECT search_tsquery('the')::text").fetchone()[0] == ""


@pytest.mark.parametrize("query", ["电解铝 碳排放", "電解鋁 碳排放"])
def test_chinese_two_word_query_in_either_script_finds_the_simplified_article(corpus, query):
    found = search_ids(corpus.db_url, query)
    initiative = {corpus.ids[k] for k in ("zh_initiative", "zh_initiative_cmra", "zh_initiative_chinania")}
    assert set(found) == initiative


@pytest.mark.parametrize("query", ["中铝集团 国际铝业协会", "中鋁集團 國際鋁業協會"])
def test_chinese_two_word_query_in_either_script_finds_the_traditional_article(corpus, query):
    found = search_ids(corpus.db_url, query)
    assert set(found) == {corpus.ids["zh_hant_meeting"], corpus.ids["zh_hant_meeting_cmra"]}


def test_single_character_query_finds_every_article_containing_it(corpus):
    found = set(search_ids(corpus.db_url, "鋁", max_results=100))
    chinese = {v for k, v in corpus.ids.items() if k.startswith("zh")}
    assert found == chinese


@pytest.mark.parametrize("query", ["coopérations", "délégations durables", "visitée"])
def test_french_article_found_by_an_inflected_form(corpus, query):
    assert search_ids(corpus.db_url, query) == [corpus.ids["fr_asi"]]


def test_thai_article_found_by_a_thai_word(corpus):
    assert search_ids(corpus.db_url, "ทองแดง") == [corpus.ids["th_cbam"]]
    assert set(search_ids(corpus.db_url, "เหล็ก")) == {corpus.ids["th_cbam"], corpus.ids["en_isit_conference"]}


def test_english_stemming_and_mixed_scripts(corpus):
    assert search_ids(corpus.db_url, "smelter casthouse") == [corpus.ids["en_gulf"]]
    assert search_ids(corpus.db_url, "CBAM สถาบันเหล็ก") == [corpus.ids["th_cbam"]]


def test_most_relevant_first(corpus):
    # The French article is about the ASI; the English one mentions it once.
    assert search_ids(corpus.db_url, "ASI") == [corpus.ids["fr_asi"], corpus.ids["en_gulf"]]


def test_language_and_since_filters(corpus):
    traditional = {corpus.ids["zh_hant_meeting"], corpus.ids["zh_hant_meeting_cmra"]}
    assert set(search_ids(corpus.db_url, "铝", lang="zh-Hant")) == traditional
    assert corpus.ids["zh_hant_meeting"] in search_ids(corpus.db_url, "铝", lang="zh")
    assert search_ids(corpus.db_url, "ASI", lang="fr") == [corpus.ids["fr_asi"]]
    steel = search_ids(corpus.db_url, "steel", since=datetime.date(2024, 1, 1))
    assert corpus.ids["en_isit_conference"] not in steel
    assert corpus.ids["en_isit_conference"] in search_ids(corpus.db_url, "steel", since=datetime.date(2023, 9, 14))


def test_nothing_for_empty_or_stop_word_queries(corpus):
    assert search_ids(corpus.db_url, "") == []
    assert search_ids(corpus.db_url, "the") == []


def test_max_results(corpus):
    assert len(search_ids(corpus.db_url, "铝", max_results=2)) == 2
