"""Topic tags: the pure tagger against seed texts, false-positive traps, and the vocabulary file's rules."""

import pytest

from ingot.topics import load_vocabulary, parse_vocabulary, topics_for
from tests.analysts.conftest import text


@pytest.fixture(scope="module")
def vocabulary():
    return load_vocabulary()


def test_seed_001_aluminium_conference_is_aluminium_and_low_carbon(vocabulary):
    title = "与“铝”相约 共话发展 千亿“铝”途绿为底——第五届中国铝工业高质量发展大会侧记"
    tags = topics_for(text("seed001.txt"), title, "zh-Hans", vocabulary)
    assert {"aluminium", "low-carbon"} <= set(tags)
    assert "steel" not in tags


def test_seed_004_isit_steel_conference_is_steel_and_low_carbon(vocabulary):
    title = "การประชุมการพัฒนาเหล็กสีเขียวและคาร์บอนต่ำแห่งชาติครั้งที่ 4 จัดขึ้นที่เมือง Nanjing."
    tags = topics_for(text("seed004.txt"), title, "en", vocabulary)
    assert {"steel", "low-carbon"} <= set(tags)
    assert "aluminium" not in tags


def test_thai_title_alone_is_enough(vocabulary):
    assert topics_for("", "การพัฒนาเหล็กสีเขียวและคาร์บอนต่ำ", "th", vocabulary) == ["steel", "low-carbon"]


def test_traditional_chinese_matches_simplified_terms(vocabulary):
    tags = topics_for(text("seed000.txt"), "中鋁集團董事長會見國際鋁業協會秘書長", "zh-Hant", vocabulary)
    assert {"aluminium", "low-carbon", "recycling"} <= set(tags)


def test_french_article(vocabulary):
    tags = topics_for(text("seed003.txt"), "L'ASI visite SMM", "fr", vocabulary)
    assert {"aluminium", "alumina", "bauxite", "esg-certification"} <= set(tags)


@pytest.mark.parametrize(
    ("sentence", "language", "absent"),
    [
        ("She will lead the delegation to Brussels and lead talks on trade.", "en", "lead"),
        ("Martin Tinsley bought a destination ticket.", "en", "tin"),
        ("无锡市一家钢琴厂扩建", "zh-Hans", "tin"),
        ("无锡市一家钢琴厂扩建", "zh-Hans", "steel"),
        ("锡林郭勒盟的风电项目", "zh-Hans", "tin"),
        ("Silicon Valley investors back a battery start-up", "en", "silicon"),
        ("The plan was scrapped after the vote.", "en", "scrap"),
        ("Les ets Martin recrutent", "fr", "carbon-market"),
    ],
)
def test_everyday_words_are_not_tags(vocabulary, sentence, language, absent):
    assert absent not in topics_for(sentence, "", language, vocabulary)


@pytest.mark.parametrize(
    ("sentence", "language", "present"),
    [
        ("LME lead prices rose as lead-acid battery demand recovered.", "en", "lead"),
        ("Tin rallied to a two-year high.", "en", "tin"),
        ("云南锡业扩产", "zh-Hans", "tin"),
        ("La production d'acier bas-carbone progresse", "fr", "low-carbon"),
        ("Le MACF entre en vigueur", "fr", "cbam"),
        ("the EU ETS price", "en", "carbon-market"),
        ("Recycling rates of aluminium cans", "en", "recycling"),
        ("ลดกำลังการผลิตเหล็ก", "th", "capacity-control"),
    ],
)
def test_domain_uses_are_tags(vocabulary, sentence, language, present):
    assert present in topics_for(sentence, "", language, vocabulary)


def test_english_terms_apply_to_every_language_french_terms_only_to_french_or_unknown(vocabulary):
    assert "copper" in topics_for("LME copper", "", "zh-Hans", vocabulary)
    assert "copper" in topics_for("prix du cuivre", "", "fr", vocabulary)
    assert "copper" in topics_for("prix du cuivre", "", None, vocabulary)
    assert "copper" not in topics_for("prix du cuivre", "", "en", vocabulary)


def test_vocabulary_rules():
    vocabulary = parse_vocabulary(
        {"topics": {"x": {"zh": ["鋁箔"], "en": ["foil*", "EPD"], "exclude": ["tin foil"], "min_mentions": 2}}}, "v"
    )
    assert topics_for("铝箔 铝箔", "", "zh-Hans", vocabulary) == ["x"]
    assert topics_for("铝箔", "", "zh-Hans", vocabulary) == []
    assert topics_for("foils and foiling", "", "en", vocabulary) == ["x"]
    assert topics_for("tin foil, tin foil", "", "en", vocabulary) == []
    assert topics_for("epd epd", "", "en", vocabulary) == []  # acronyms match in capitals only
    with pytest.raises(ValueError, match="unknown keys"):
        parse_vocabulary({"topics": {"x": {"zh_hant": ["鋁"]}}}, "v")


def test_vocabulary_version_follows_the_file(tmp_path):
    path = tmp_path / "topics.yaml"
    path.write_text("topics:\n  steel:\n    en: [steel]\n")
    first = load_vocabulary(path).version
    path.write_text("topics:\n  steel:\n    en: [steel, steels]\n")
    assert load_vocabulary(path).version != first
