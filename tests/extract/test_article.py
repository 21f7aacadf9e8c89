"""extract_article's contract: rejections, paywalls, idempotency across captures, purity, import cost."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime

import pytest

from extract import Article, Rejected, extract_article, parse_extract_rules
from extract.article import REJECT_REASONS

from .seeds import FETCHED_AT, ROOT, SEED_PAGES

LONG_PARAGRAPH = ("Steel output in the region rose again in the third quarter as mills restarted furnaces that had been "
                  "idled during the spring, according to figures published by the national association. ")


def extract(html, url="https://news.example.com/2025/11/20/story.html", **kw):
    kw.setdefault("fetched_at", FETCHED_AT)
    return extract_article(html, url, **kw)


def listing_page() -> str:
    items = "\n".join(
        f'<li><h4><a href="/ShowNews1.aspx?id={474000 + i}">第{i}条：铝价{"上涨" if i % 2 else "回落"}，下游采购情绪{"回暖" if i % 3 else "谨慎"}</a></h4>'
        f'<span class="time">4月{i % 28 + 1}日</span><p>摘要：本周国内铝锭社会库存变化不大，现货升贴水小幅调整，市场成交一般。</p></li>'
        for i in range(1, 21))
    return (f'<html><head><meta charset="utf-8"><title>要闻_中国有色网</title></head><body>'
            f'<div class="nav"><a href="/">首页</a></div><div class="tab-pane active con-middle"><ul>{items}</ul></div>'
            f'<div class="pager"><a href="?page=2">下一页</a></div></body></html>')


def test_list_page_is_not_an_article():
    result = extract(listing_page(), url="https://www.cnmn.com.cn/ShowNewsList.aspx?id=13")
    assert isinstance(result, Rejected) and result.reason == "not_article", result


def test_site_root_is_an_article_only_when_it_shows_one():
    story = f"<html><body><h1>Metals news</h1><p>{LONG_PARAGRAPH}</p><p>2. {LONG_PARAGRAPH}</p></body></html>"
    assert isinstance(extract(story, url="https://news.example.com/"), Article)  # a blog's front page: one post
    short = "<html><body><h1>Metals news</h1><p>Welcome to our news site about steel and metals.</p></body></html>"
    assert extract(short, url="https://news.example.com/").reason == "not_article"


WELCOME = ("Welcome to our gallery of the Alps: with these photographs we would like to show you the region we live in, "
           "its valleys, lakes and villages through the seasons. We also visit our neighbours across the border now and "
           "then.")


def test_site_root_showing_a_text_of_its_own_is_an_article():
    """A home page whose text is a welcome or an about note, with no teasers beside it, is that text."""
    page = (f"<html><body><nav><a href='/a'>Albums</a> <a href='/c'>Contact</a></nav><h2>Welcome</h2><p>{WELCOME}</p>"
            "<p>All photos are available in sizes up to 8,000 pixels; please ask us first.</p></body></html>")
    result = extract(page, url="https://gallery.example.de/")
    assert isinstance(result, Article) and "the region we live in" in result.text, result


def test_site_root_of_teasers_with_a_blurb_is_not_an_article():
    teasers = "".join(f"<li><a href='/news/{i}.html'>Steel story number {i} of the day in the market</a>"
                      f"<p>Mills and traders on prices, week {i}.</p></li>" for i in range(12))
    page = f"<html><body><h1>Metals news</h1><p>{WELCOME}</p><ul>{teasers}</ul></body></html>"
    assert extract(page, url="https://news.example.com/").reason == "not_article"


def test_long_article_beside_link_lists_is_an_article():
    links = "".join(f'<li><a href="/news/{i}.html">Aluminium market story number {i} of the week</a></li>'
                    for i in range(40))
    page = (f"<html><head><title>Smelter restarts | Metals</title></head><body><ul class='menu'>{links}</ul>"
            f"<h1>Smelter restarts</h1><div><p>{LONG_PARAGRAPH}</p><p>Then {LONG_PARAGRAPH}</p>"
            f"<p>Also {LONG_PARAGRAPH}</p></div><ul>{links}</ul></body></html>")
    result = extract(page, url="https://news.example.com/2025/11/20/smelter.html")
    assert isinstance(result, Article) and "restarted furnaces" in result.text, result


def test_page_declaring_itself_an_article_is_not_a_listing():
    rows = "".join(f'<li><a href="https://other.example.org/{i}">Link of the day number {i} via a blog</a></li>'
                   for i in range(30))
    page = ('<html><head><title>Links of the day</title><meta property="og:type" content="article"></head>'
            f'<body><h1>Links of the day</h1><ul>{rows}</ul></body></html>')
    result = extract(page, url="https://blog.example.com/2025/11/20/links.html")
    assert isinstance(result, Article) and "number 7 via a blog" in result.text, result
    undeclared = page.replace('<meta property="og:type" content="article">', "")
    assert extract(undeclared, url="https://blog.example.com/2025/11/20/links.html").reason == "not_article"


def teaser_page(jsonld: bool) -> str:
    ld = ('<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
          '"headline":"Western European scrap seen stable","datePublished":"2025-09-26T09:30:00+00:00",'
          '"isAccessibleForFree":false,"author":{"@type":"Person","name":"Andrea Hotter"}}</script>') if jsonld else ""
    return (f'<html><head><title>Western European scrap seen stable | Kallanish</title>{ld}</head><body>'
            '<h1>Western European scrap seen stable</h1><p class="date">26 Sep 2025</p>'
            '<div class="article-body"><p>Western European scrap prices are expected to hold steady next week as '
            'mills balance thin order books against ...</p></div>'
            '<div class="paywall-box"><p>Subscribe to continue reading. Already a subscriber? Log in.</p></div>'
            '</body></html>')


@pytest.mark.parametrize("jsonld", [True, False])
def test_paywall_teaser_keeps_headline_and_date(jsonld):
    url = "https://www.kallanish.com/en/news/steel/market-reports/article-details/western-european-scrap-seen-stable-0926/"
    result = extract(teaser_page(jsonld), url=url)
    assert isinstance(result, Article), result
    assert result.paywalled is True
    assert result.title == "Western European scrap seen stable"
    assert result.published_at.date().isoformat() == "2025-09-26"
    assert "Subscribe" not in result.text


def test_long_free_article_with_a_paywall_script_is_not_paywalled():
    paragraphs = "".join(f"<p>{i}. {LONG_PARAGRAPH}</p>" for i in range(12))
    page = (f'<html><body><h1>Steel output rises</h1><div class="piano-offer-slot"></div>'
            f'<div class="content">{paragraphs}</div></body></html>')
    assert extract(page).paywalled is False


def metered_page(box_class: str) -> str:
    ld = ('<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
          '"headline":"Mills restart furnaces","isAccessibleForFree":false}</script>')
    paragraphs = "".join(f"<p>{i}. {LONG_PARAGRAPH}</p>" for i in range(8))
    return (f'<html><head><title>Mills restart furnaces</title>{ld}</head><body><h1>Mills restart furnaces</h1>'
            f'<div class="{box_class}">{paragraphs}<p>7. The last paragraph of the story.</p></div>'
            '<div class="subscribe-banner"><a href="/subscribe">Subscribe</a></div></body></html>')


@pytest.mark.parametrize("box_class", ["article-body", "paywall-content premium-article", "piano-metered"])
def test_metered_article_served_in_full_keeps_its_text_and_is_not_paywalled(box_class):
    result = extract(metered_page(box_class), url="https://news.example.com/2025/11/20/mills.html")
    assert isinstance(result, Article), result
    assert result.text.count("restarted furnaces") == 8 and "The last paragraph of the story." in result.text
    assert result.paywalled is False  # isAccessibleForFree: false alone never makes a full text a teaser


def test_site_paywall_pattern_is_certain_even_for_long_text():
    rules = parse_extract_rules({"paywall_patterns": ["Members only"]}, allowed_hosts=["news.example.com"])
    paragraphs = "".join(f"<p>{i}. {LONG_PARAGRAPH}</p>" for i in range(12))
    page = f"<html><body><h1>Steel output rises</h1>{paragraphs}<p>Members only</p></body></html>"
    assert extract(page, rules=rules).paywalled is True


def test_two_captures_with_different_sidebars_give_identical_text():
    page = SEED_PAGES["001"]
    first = page.body().decode("utf-8")
    # a later capture: other "推荐阅读" teasers, other timestamps, other reaction counts
    second = re.sub(r"2025-11-(\d\d) (\d\d):(\d\d)", r"2026-01-\1 \3:\2", first)
    second = second.replace("燕矶长江大桥", "青山长江大桥").replace("<em>0</em>", "<em>17</em>")
    assert second != first
    a = extract(first.encode(), url=page.url, timezone=page.timezone)
    b = extract(second.encode(), url=page.url, timezone=page.timezone)
    assert a.text == b.text and a.text_sha256 == b.text_sha256


@pytest.mark.parametrize("key", sorted(SEED_PAGES))
def test_same_input_same_output(key):
    page = SEED_PAGES[key]
    runs = [extract(page.body(), url=page.url, rules=page.rules(), timezone=page.timezone) for _ in range(2)]
    runs.append(extract(page.body(), url=page.url, timezone=page.timezone))
    runs.append(extract(page.body(), url=page.url, timezone=page.timezone))
    assert runs[0] == runs[1] and runs[2] == runs[3]
    for result in runs:
        if isinstance(result, Article):
            assert json.dumps(result.to_dict(), ensure_ascii=False)  # JSON-ready


def test_other_host_is_wrong_host_or_mirror():
    page = SEED_PAGES["001"]
    other = extract(page.body(), url="https://copy.example.net/a.htm", rules=page.rules())
    assert (other.reason, "copy.example.net" in other.detail) == ("wrong_host", True)
    mirror = SEED_PAGES["000"]
    assert extract(mirror.body(), url=mirror.url, rules=mirror.rules()).reason == "mirror"


def test_mirror_is_still_cleaned_in_generic_mode():
    page = SEED_PAGES["000"]
    article = extract(page.body(), url=page.url, timezone=page.timezone)
    assert isinstance(article, Article)
    assert "(tuán)" not in article.text and "(Miles Prosser)" in article.text


def test_soft_404_and_empty():
    page = "<html><head><title>404 Not Found</title></head><body><h1>页面不存在</h1><p>您访问的页面不存在或已被删除。</p></body></html>"
    assert extract(page).reason == "soft_404"
    assert extract(b"").reason == "empty"
    assert extract("<html><body><div></div></body></html>").reason == "empty"


def short_story(title: str, text: str = "") -> str:
    """A short news page (under the 1000 characters below which a not-found title makes a page an error page)."""
    paragraphs = text or ("The plant in Hebei restarted its blast furnace on Monday after a three-month halt, "
                          "the company said in a filing, citing firmer rebar margins and lower coke costs. "
                          "Output should reach 8,000 tonnes a day by the end of the month.")
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p class='date'>2025-11-20</p><p>{paragraphs}</p>"
            "<p>Analysts expect the restart to weigh on billet prices in northern China next week.</p>"
            "</article></body></html>")


@pytest.mark.parametrize("title", ["Steel plant story-404 is back", "Model X-404 review", "Route 404 reopens to "
                                   "ore trucks", "Lithium deposit not found in the northern survey",
                                   "SKU 404-A recalled", "Tesla Model X-404"])
def test_a_headline_holding_404_or_not_found_is_not_an_error_page(title):
    result = extract(short_story(title))
    assert isinstance(result, Article), result
    assert result.title == title


@pytest.mark.parametrize("title", ["404 Not Found", "Page not found", "404", "Error 404 - Page Not Found | Metal News",
                                   "Page not found – Aluminium Insider", "Metal News | 404", "页面不存在_中国有色网",
                                   "中国有色网-页面不存在", "抱歉，您访问的页面不存在", "Seite nicht gefunden - Metall",
                                   "Page introuvable | Métaux", "Página no encontrada", "Oops! Page not found."])
def test_a_title_that_is_a_not_found_phrase_or_ends_or_starts_with_one_is_an_error_page(title):
    page = short_story(title, "Sorry, the page you are looking for does not exist or has been moved.")
    assert extract(page).reason == "soft_404"


def test_reject_reasons_are_a_closed_set():
    assert REJECT_REASONS == {"not_article", "paywalled_teaser", "empty", "wrong_host", "mirror", "undecodable",
                              "soft_404", "timeout"}
    with pytest.raises(ValueError):
        Rejected("https://x", "boring")


def test_dates_and_datetimes_in_to_dict_are_iso_with_offset():
    page = SEED_PAGES["001"]
    data = extract(page.body(), url=page.url, timezone=page.timezone).to_dict()
    assert data["published_at"] == "2024-07-04T08:30:00+08:00"
    assert isinstance(data["authors"], list)


def test_forced_language_and_default_timezone_from_rules():
    page = SEED_PAGES["003"]
    rules = parse_extract_rules({"language": "fr-FR"}, allowed_hosts=["news.metal.com"], timezone="Asia/Shanghai")
    article = extract(page.body(), url=page.url, rules=rules)
    assert article.language == "fr-FR"
    assert article.published_at.isoformat() == "2025-07-31T13:22:00+08:00"
    assert extract(page.body(), url=page.url).published_at.isoformat() == "2025-07-31T13:22:00+00:00"


def test_naive_fetched_at_is_refused():
    with pytest.raises(ValueError):
        extract("<html></html>", fetched_at=datetime(2025, 1, 1))


def test_byline_in_body_becomes_authors():
    body = ("<h1>铜价震荡上行</h1><div class='article'><p>本报讯（记者 张三 李四）" + "铜价本周震荡上行，下游采购谨慎。" * 20 +
            "</p><p>" + "市场人士认为，短期内铜价仍将维持高位震荡。" * 10 + "</p><p>文/王五</p></div>")
    article = extract(f"<html><body>{body}</body></html>", url="https://news.example.cn/2025/11/20/1.html")
    assert article.authors == ("王五",)  # a standalone byline line wins over the lead's inline reporters
    assert "文/王五" not in article.text
    body = body.replace("<p>文/王五</p>", "")
    article = extract(f"<html><body>{body}</body></html>", url="https://news.example.cn/2025/11/20/1.html")
    assert article.authors == ("张三", "李四")


def test_import_is_cheap_and_lazy():
    code = ("import sys, extract; heavy = {'trafilatura', 'dateparser', 'opencc', 'jieba', 'py3langid'};"
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_clock_is_never_read(monkeypatch):
    class Forbidden(datetime):
        @classmethod
        def now(cls, tz=None):
            raise AssertionError("extract_article read the clock")

        @classmethod
        def today(cls):
            raise AssertionError("extract_article read the clock")

    from extract import dates as dates_module

    monkeypatch.setattr(dates_module, "datetime", Forbidden)
    page = SEED_PAGES["003"]
    assert extract(page.body(), url=page.url, timezone="Asia/Shanghai").published_at is not None
