"""Paragraph rules after trafilatura: what goes, what stays (trafilatura-style with/without checks)."""

from __future__ import annotations

from extract.clean import PINYIN_READING, clean_paragraphs, looks_like_keyword_list

BODY = ["Steel output in the region rose again in the third quarter as mills restarted idled furnaces. " * 3,
        "Prices followed, with hot-rolled coil up 4% on the month according to the association. " * 3]


def clean(lines, title="Steel output rises", rules=None):
    return clean_paragraphs(lines, titles=(title,), rules=rules)


def test_chrome_lines_go_sentences_that_look_alike_stay():
    result = clean(["微博", "分享到：", "正在阅读:Steel output rises", "首页 > 地方频道 > 经济 > 正文", "6408次浏览",
                    "微博上有网友称，铝价上涨是好事。", "Language barriers slow exports.", *BODY])
    assert result.paragraphs == ["微博上有网友称，铝价上涨是好事。", "Language barriers slow exports.", *[b.strip() for b in BODY]]


def test_disclaimer_cut_only_in_the_tail():
    early = clean(["All rights reserved by the mills, the union said.", *BODY])
    assert early.paragraphs[0].startswith("All rights reserved")
    late = clean([*BODY, "Disclaimer: the information above does not guarantee anything.", "More boilerplate."])
    assert late.paragraphs == [b.strip() for b in BODY]


def test_ordinary_liability_sentence_is_not_a_disclaimer():
    lines = [*BODY, "The company said it was not responsible for the spill and would appeal."]
    assert clean(lines).paragraphs[-1].startswith("The company said")


def test_credit_lines_become_fields():
    result = clean([*BODY, "作者 何艾琳", "来源:通达融媒", "编辑:谢雨廷", "一审:张剑锋", "终审:阿力玛", "(责任编辑:再生分会)"])
    assert result.paragraphs == [b.strip() for b in BODY]
    assert result.credits.authors == ["何艾琳"] and result.credits.source == "通达融媒"
    assert result.credits.editor == "谢雨廷" and result.credits.reviewers == {"一审": "张剑锋", "终审": "阿力玛"}


def test_repeated_title_and_leading_date_line_go():
    result = clean_paragraphs(["• juil. 31, 2025, at 1:22 pm", "Steel output rises", *BODY, "Steel output rises."],
                              titles=("Steel output rises",), rules=None, is_date_line=lambda t: "2025" in t)
    assert result.paragraphs == [b.strip() for b in BODY]


def test_teaser_run_is_cut():
    teasers = []
    for i in range(4):
        teasers += [f"第{i}条推荐新闻的摘要文字，和本文无关。", f"2025-11-2{i} 09:0{i}"]
    assert clean([*BODY, *teasers]).paragraphs == [b.strip() for b in BODY]


def test_pinyin_readings_removed_and_counted_latin_parentheses_kept():
    result = clean(["中鋁集團(tuán)董事長(zhǎng)會見(jiàn)邁爾斯·珀瑟(Miles Prosser)。", *BODY])
    assert result.paragraphs[0] == "中鋁集團董事長會見邁爾斯·珀瑟(Miles Prosser)。"
    assert result.pinyin_readings == 3
    assert PINYIN_READING.sub("", "鋁(lǚ)價(jià)(2024)") == "鋁價(2024)"


def test_nbsp_and_indentation_are_normalised():
    assert clean(["\u00a0 \u00a0 The 4th conference\u00a0:", *BODY]).paragraphs[0] == "The 4th conference :"


def test_keyword_list_first_line():
    assert looks_like_keyword_list("免費看片,在線觀看,高清視頻,黃金價格,鋁價走勢,銅價今日")
    assert not looks_like_keyword_list("Actualités SMM du 14 juillet :")
    assert not looks_like_keyword_list("铝价上涨，下游采购情绪回暖。")


def test_photo_credit_in_the_tail_does_not_cut_the_rest_of_the_article():
    more = ("The mill will hire two hundred workers next year and plans a second line for coated sheet, the "
            "company said in a statement on Friday, adding that the permits for the new coating line had already been granted. ")
    section = [more.replace("mill", name) for name in ("plant", "works", "site", "unit")]
    result = clean([*BODY, "© Photo agency | Jane Roe", more, "Avertissement", *section])
    assert result.paragraphs == [*[b.strip() for b in BODY], more.strip(), *[p.strip() for p in section]]
    assert ("photo credit", "© Photo agency | Jane Roe") in result.dropped
    assert ("disclaimer or related heading line", "Avertissement") in result.dropped
    notice = clean([*BODY, "Avertissement", more, "Copyright 2025 Metals Daily. All rights reserved."])
    assert notice.paragraphs == [b.strip() for b in BODY]  # a notice of a paragraph or two is cut


def test_related_heading_in_the_tail_still_cuts_its_teasers():
    result = clean([*BODY, "Related News", "Copper smelter opens in Chile", "Zinc prices slip on weak demand"])
    assert result.paragraphs == [b.strip() for b in BODY]
    assert [text for _, text in result.dropped] == ["Related News", "Copper smelter opens in Chile",
                                                     "Zinc prices slip on weak demand"]


def test_breadcrumbs_go_in_every_separator_and_long_lines_that_almost_are_one_stay():
    crumbs = ["Home › Markets › Steel", "News » Metals » Aluminium »", "首页 > 新闻 > 正文"]
    almost = "a > " * 20 + "b" * 40  # its last part is too long: the shape that made a single regex explode
    result = clean([*crumbs, almost, *BODY])
    assert result.paragraphs == [almost, *[b.strip() for b in BODY]]


def test_a_megabyte_line_of_separators_is_read_once():
    line = "a > " * 250_000 + "b" * 40
    assert clean([line, *BODY]).paragraphs[0] == line
