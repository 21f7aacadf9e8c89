"""The decoding chain: HTTP charset → <meta> → strict UTF-8 → the most plausible CJK reading, with lies caught."""

from __future__ import annotations

import re

import pytest

from extract import Article, Rejected, extract_article
from extract.decode import UndecodableError, decode_html, decode_page, normalise_charset

from .seeds import DATA, FETCHED_AT, SEED_PAGES, WEB

TEXT = "中国有色金属报：铝价上涨，鋁業"


def html(charset_meta: str | None, text: str = TEXT) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' if charset_meta else ""
    return f"<html><head>{meta}</head><body><p>{text}</p></body></html>"


def test_gbk_page_with_charset_only_in_meta():
    body = (DATA / "cnmn_459472_gbk.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text, codec = decode_html(body)
    assert codec == "gb18030" and "中铝集团董事长段向东" in text and "\ufffd" not in text


def test_gbk_page_extracts_like_its_utf8_twin():
    page = SEED_PAGES["000-cnmn"]
    gbk = (DATA / "cnmn_459472_gbk.html").read_bytes()
    a = extract_article(page.body(), page.url, fetched_at=FETCHED_AT, timezone=page.timezone)
    b = extract_article(gbk, page.url, fetched_at=FETCHED_AT, timezone=page.timezone)
    assert a.text == b.text and a.title == b.title


@pytest.mark.parametrize("declared,http,encoding", [
    ("utf-8", None, "gbk"),          # GBK bytes declared UTF-8 in <meta>
    (None, "utf-8", "gbk"),          # ... or in the HTTP header
    ("gb2312", None, "utf-8"),       # UTF-8 bytes declared gb2312
    ("iso-8859-1", None, "gbk"),     # GBK bytes declared latin-1: decodes "strictly" but is mojibake
])
def test_wrong_declared_charset_falls_through(declared, http, encoding):
    body = html(declared).encode(encoding)
    text, _ = decode_html(body, http)
    assert TEXT in text


@pytest.mark.parametrize("text", [
    "Mit Anno 1800 veröffentlichen Blue Byte und Ubisoft den siebten Teil; Grüße aus Köln, schöne Füße.",
    "El niño y la señora cantan en la montaña de Logroño, junto al señorío.",
])
def test_accented_latin1_declared_latin1_is_not_taken_for_gbk(text):
    """Latin-1 accents followed by ASCII letters are valid GBK pairs: the reading must stay Latin."""
    body = html("iso-8859-1", text).encode("latin-1")
    assert body.decode("gb18030")  # the trap: the bytes are valid GB18030 too
    decoded, codec = decode_html(body)
    assert text in decoded and codec == "cp1252"


def test_big5_where_declared():
    traditional = "中國有色金屬報：鋁價上漲"
    text, codec = decode_html(html("big5", traditional).encode("big5"))
    assert traditional in text and codec == "big5hkscs"


def test_gb2312_label_reads_gbk_only_characters():
    body = html("gb2312", "鋁業 镕").encode("gbk")  # not encodable in strict GB2312
    assert "鋁業 镕" in decode_html(body)[0]


def test_http_charset_wins_when_it_fits():
    body = html(None, "café").encode("cp1252")
    assert "café" in decode_html(body, "windows-1252")[0]


def test_labels():
    assert normalise_charset("GB2312") == "gb18030"
    assert normalise_charset("x-gbk") == "gb18030"
    assert normalise_charset("Big5") == "big5hkscs"
    assert normalise_charset("no-such-charset") is None


def test_binary_is_undecodable():
    with pytest.raises(UndecodableError):
        decode_html(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = extract_article(b"%PDF-1.4\x00\x00\xff\xfe", "https://example.com/a.pdf", fetched_at=FETCHED_AT)
    assert isinstance(result, Rejected) and result.reason == "undecodable"


def test_no_replacement_character_in_any_fixture():
    for path in list(WEB.rglob("*")) + list(DATA.glob("*.html")):
        if path.is_file() and path.suffix not in (".md", ".json"):
            text, _ = decode_html(path.read_bytes())
            assert "\ufffd" not in text, path


def test_gbk_page_with_one_broken_pair_decodes_without_it_and_counts_it():
    text = "中国铝业公司今日公布三季度产量，电解铝产量同比增长百分之五。" * 20
    body = html("gbk", text).encode("gbk")
    cut = body.index("三季度".encode("gbk"))
    damaged = body[:cut] + b"\x81\x20" + body[cut + 2:]  # a lead byte followed by a byte no GBK pair ends in
    with pytest.raises(UnicodeDecodeError):
        damaged.decode("gb18030")
    decoded = decode_page(damaged)
    assert decoded.codec == "gb18030" and decoded.replaced == 1 and "\ufffd" not in decoded.text
    assert "电解铝产量同比增长" in decoded.text
    result = extract_article(damaged, "https://news.example.cn/2025/11/20/a.html", fetched_at=FETCHED_AT)
    assert isinstance(result, Article) and result.replaced_bytes == 1 and "电解铝产量" in result.text


def test_utf8_page_with_a_stray_latin1_byte_is_kept():
    body = html("utf-8", "Stahlpreise für Bleche steigen. " * 30).encode("utf-8").replace(b"</head>",
                                                                                          b"<script>/* M\xe4scot */</script></head>")
    decoded = decode_page(body)
    assert (decoded.codec, decoded.replaced) == ("utf-8", 1) and "für Bleche" in decoded.text


def test_bytes_mostly_damaged_stay_undecodable():
    body = html("utf-8", "Stahl " * 20).encode("utf-8") + bytes(range(0x80, 0x100)) * 8
    with pytest.raises(UndecodableError):
        decode_page(body)


# Prose written for these tests: one market report in Simplified and Traditional Chinese, Japanese and Korean.
# The Simplified text avoids the two characters (人, 普) whose GBK bytes are not valid Big5, so that its GBK bytes
# also decode, strictly and wrongly, as Big5.
SIMPLIFIED = (
    "本周国内铝价延续震荡上行走势。受电解铝库存持续下降和下游消费回暖的双重影响，沪铝主力合约周五收于每吨两万零六百元，"
    "较上周上涨百分之二点三。市场分析师表示，随着云南地区水电供应趋于稳定，部分电解铝企业已开始逐步复产，但新增产能释放"
    "仍需时间，短期内供应偏紧的局面难以根本改变。与此同时，新能源汽车和光伏行业对铝材的需求保持强劲，铝板带箔企业订单饱满，"
    "开工率维持在较高水平。分析师认为，海外市场方面，美联储加息预期减弱，美元指数回落，对有色金属价格形成一定支撑。不过，"
    "欧洲能源价格仍处高位，当地冶炼厂减产的消息也在一定程度上推高了伦敦金属交易所的铝价。展望后市，业内多方预计铝价将在"
    "两万元至两万一千元区间内运行，企业应密切关注库存变化和政策动向，合理安排采购与销售节奏。")
TRADITIONAL = (
    "本週國內鋁價延續震盪上行走勢。受電解鋁庫存持續下降和下游消費回暖的雙重影響，滬鋁主力合約週五收於每噸兩萬零六百元，"
    "較上週上漲百分之二點三。市場人士表示，隨著雲南地區水電供應趨於穩定，部分電解鋁企業已開始逐步復產，但新增產能釋放"
    "仍需時間，短期內供應偏緊的局面難以根本改變。與此同時，新能源汽車和光伏行業對鋁材的需求保持強勁，鋁板帶箔企業訂單飽滿，"
    "開工率維持在較高水準。分析師認為，海外市場方面，美聯儲加息預期減弱，美元指數回落，對有色金屬價格形成一定支撐。不過，"
    "歐洲能源價格仍處高位，當地冶煉廠減產的消息也在一定程度上推高了倫敦金屬交易所的鋁價。展望後市，業內普遍預計鋁價將在"
    "兩萬元至兩萬一千元區間內運行，企業應密切關注庫存變化和政策動向，合理安排採購與銷售節奏。")
JAPANESE = (
    "今週のアルミニウム価格は、在庫の減少と需要の回復を背景に上昇傾向が続いた。ロンドン金属取引所の三か月先物は一トン当たり"
    "二千四百ドル台で取引を終え、前週に比べて約二パーセント高くなった。市場関係者によると、中国の雲南省で水力発電の供給が"
    "安定し、一部の製錬所が操業を再開し始めたものの、新たな生産能力が本格的に稼働するまでには時間がかかる見通しだ。一方、"
    "電気自動車や太陽光発電向けのアルミ材の需要は堅調で、圧延メーカーの受注は高い水準を保っている。欧州ではエネルギー価格が"
    "依然として高く、現地の製錬所による減産の動きも相場を下支えしている。専門家は、今後も価格は狭い範囲で推移すると予想して"
    "おり、企業には在庫の動向を注意深く見守るよう呼びかけている。")
KOREAN = (
    "이번 주 국내 알루미늄 가격은 재고 감소와 수요 회복에 힘입어 상승세를 이어갔다. 런던금속거래소의 3개월물 가격은 톤당 "
    "2,400달러대에서 거래를 마쳤으며, 전주 대비 약 2% 올랐다. 시장 관계자들은 중국 윈난성의 수력 발전 공급이 안정되면서 "
    "일부 제련소가 가동을 재개했지만, 신규 생산 능력이 본격적으로 가동되기까지는 시간이 걸릴 것으로 내다봤다.")


def report_page(text: str, meta_charset: str | None) -> str:
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in re.split(r"(?<=[。.])", text) if p)
    return f"<html><head>{meta}<title>Market report</title></head><body><article>{paragraphs}</article></body></html>"


LIES = [  # text, the bytes' real encoding, the charset declared in <meta>, in HTTP, the codec that reads it
    (TRADITIONAL, "big5", "gbk", None, "big5hkscs"),
    (TRADITIONAL, "big5", None, "gb2312", "big5hkscs"),
    (TRADITIONAL, "big5", None, None, "big5hkscs"),
    (TRADITIONAL, "big5", "iso-8859-1", None, "big5hkscs"),
    (SIMPLIFIED, "gbk", "big5", None, "gb18030"),
    (SIMPLIFIED, "gbk", None, "big5", "gb18030"),
    (SIMPLIFIED, "gbk", "euc-jp", None, "gb18030"),
    (JAPANESE, "shift_jis", "utf-8", None, "cp932"),
    (JAPANESE, "shift_jis", None, "utf-8", "cp932"),
    (JAPANESE, "shift_jis", None, None, "cp932"),
    (JAPANESE, "shift_jis", "gbk", None, "cp932"),
    (JAPANESE, "euc_jp", "gb2312", None, "euc_jp"),
    (JAPANESE, "euc_jp", None, None, "euc_jp"),
    (KOREAN, "euc_kr", "gbk", None, "cp949"),
    (KOREAN, "euc_kr", None, None, "cp949"),
]


@pytest.mark.parametrize("text,encoding,meta,http,codec", LIES)
def test_a_cjk_page_declared_wrongly_or_not_at_all_decodes_to_its_text(text, encoding, meta, http, codec):
    body = report_page(text, meta).encode(encoding)
    decoded = decode_page(body, http)
    assert (decoded.codec, decoded.replaced) == (codec, 0)
    assert re.sub(r"<[^>]+>", "", decoded.text).endswith("Market report" + text)


@pytest.mark.parametrize("text,encoding,meta,http", [
    (SIMPLIFIED, "gbk", "big5", None), (TRADITIONAL, "big5", "gbk", None), (JAPANESE, "shift_jis", "utf-8", None)])
def test_the_wrong_reading_is_the_trap(text, encoding, meta, http):
    """The lie decodes strictly in the declared codec (or UTF-8 fails), so only plausibility can catch it."""
    body = report_page(text, meta).encode(encoding)
    declared = normalise_charset(meta or http)
    if declared == "utf-8":
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
    else:
        assert text not in body.decode(declared)


@pytest.mark.parametrize("text,encoding,label,codec", [
    (SIMPLIFIED, "gbk", "gbk", "gb18030"), (TRADITIONAL, "gbk", "gbk", "gb18030"),
    (TRADITIONAL, "big5", "big5", "big5hkscs"), (JAPANESE, "shift_jis", "shift_jis", "cp932"),
    (JAPANESE, "euc_jp", "euc-jp", "euc_jp"), (KOREAN, "euc_kr", "euc-kr", "cp949")])
def test_a_cjk_page_declared_rightly_keeps_its_charset(text, encoding, label, codec):
    decoded = decode_page(report_page(text, label).encode(encoding))
    assert decoded.codec == codec and text in re.sub(r"<[^>]+>", "", decoded.text)


def test_plausibility_separates_real_prose_from_wrong_readings():
    from extract.cjk_text import common_share

    for text, codec in [(SIMPLIFIED, "gb18030"), (TRADITIONAL, "big5hkscs"), (TRADITIONAL, "gb18030"),
                        (JAPANESE, "cp932"), (KOREAN, "cp949")]:
        assert common_share(text, codec)[1] >= 0.95, codec
    wrong = [(TRADITIONAL, "big5", "gb18030"), (SIMPLIFIED, "gbk", "big5hkscs"), (JAPANESE, "euc_jp", "gb18030"),
             (KOREAN, "euc_kr", "gb18030")]
    for text, encoding, reading in wrong:
        counted, share = common_share(text.encode(encoding).decode(reading), reading)
        assert counted > 100 and share < 0.8, (encoding, reading, share)


def test_a_short_cjk_text_too_short_to_judge_keeps_its_declared_charset():
    body = html("big5", "海外市场方面").encode("gbk")  # six letters: too few to doubt the declaration
    assert decode_page(body).codec == "big5hkscs"


def test_a_big5_article_declared_gbk_extracts_its_traditional_text():
    body = report_page(TRADITIONAL, "gbk").encode("big5")
    result = extract_article(body, "https://news.example.tw/2025/11/20/aluminium.html", fetched_at=FETCHED_AT)
    assert isinstance(result, Article), result
    assert "本週國內鋁價延續震盪上行走勢" in result.text and "合理安排採購與銷售節奏" in result.text
