"""The decoding chain: HTTP charset → <meta> → strict UTF-8 → GB18030, with lies caught."""

from __future__ import annotations

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
