"""trafilatura's body is the floor: ingot's cleaning takes out only what it can show is boilerplate.

Each page here is written for the test and shows one shape of the real pages where a cleaner loses the
article: a box whose class says "widget" but which holds the story, a cookie notice, an address footer, an
author bio before or after the story.
"""

from __future__ import annotations

import pytest

from extract import Article, extract_article
from extract.clean import Widgets, carries_prose, without_widget_lines
from extract.page import Page

from .seeds import FETCHED_AT

STORY = [
    "Aluminium smelters in the region restarted two potlines this week after power prices fell below the level "
    "at which the plants had been idled last winter, the operators said on Tuesday.",
    "The restart adds about 180,000 tonnes a year of primary metal, roughly a tenth of the capacity that was "
    "shut when energy costs peaked, according to the industry association's figures.",
    "Traders said the extra supply was expected to weigh on regional premiums, which have already slipped for "
    "three weeks in a row as buyers waited for clearer signs of demand from carmakers.",
]
URL = "https://news.example.com/2025/11/20/smelters-restart.html"


def page(before: str = "", after: str = "", wrapper: str = "article-body") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    return (f"<html><head><title>Smelters restart potlines</title></head><body>{before}"
            f"<h1>Smelters restart potlines</h1><div class='{wrapper}'>{paragraphs}</div>{after}</body></html>")


def extract(html: str) -> Article:
    result = extract_article(html, URL, fetched_at=FETCHED_AT)
    assert isinstance(result, Article), result
    return result


def assert_whole_story(result: Article) -> None:
    for paragraph in STORY:
        assert paragraph in result.text


@pytest.mark.parametrize("wrapper", ["related-content", "share-article", "sidebar-main", "paywall premium-article"])
def test_a_story_in_a_box_named_like_a_widget_is_kept(wrapper):
    assert_whole_story(extract(page(wrapper=wrapper)))


COOKIE_NOTICE = ('<div class="cookie-consent" role="dialog"><p>We use cookies and similar technologies to give you '
                 'the best experience on our website, to personalise content and advertising and to analyse our '
                 'traffic. By clicking accept you agree to this.</p><button>Accept</button><button>Settings</button>'
                 '</div>')
ADDRESS_FOOTER = ("<footer><p>Metals Daily Media GmbH</p><p>Hauptstrasse 1, 10115 Berlin, Germany</p>"
                  "<p>Phone +49 30 1234567 · info@metalsdaily.example</p></footer>")
AUTHOR_BIO = ('<div class="author-bio"><img src="/jane.jpg"><p>Jane Roe has covered base metals and the energy '
              'transition for Metals Daily since 2015, reporting from Berlin, London and Shanghai on smelters, mines '
              'and the markets that price them.</p></div>')


@pytest.mark.parametrize("before,after,absent", [
    (COOKIE_NOTICE, "", "Accept"),
    ("", ADDRESS_FOOTER, "Hauptstrasse 1"),
    ("", AUTHOR_BIO, "Jane Roe has covered base metals"),
    (AUTHOR_BIO, ADDRESS_FOOTER, "Hauptstrasse 1"),
], ids=["cookie notice before", "address footer after", "author bio after", "bio before, footer after"])
def test_the_story_not_the_block_beside_it(before, after, absent):
    result = extract(page(before=before, after=after))
    assert_whole_story(result)
    assert absent not in result.text


def test_sharing_bar_and_related_list_lines_are_taken_out():
    bar = ('<div class="share-bar"><a href="#">Facebook</a><a href="#">Twitter</a><a href="#">LinkedIn</a></div>'
           '<div class="related-news"><h3>Related News</h3><ul>'
           + "".join(f'<li><a href="/n/{i}.html">Copper price story number {i}</a></li>' for i in range(6))
           + "</ul></div>")
    result = extract(page(after=bar))
    assert_whole_story(result)
    assert "Copper price story number 3" not in result.text and "Facebook" not in result.text


def test_a_widget_holding_running_text_is_not_a_widget():
    tree = Page(page(wrapper="paywall-box"), URL).root
    assert carries_prose(tree.find(".//div"))
    assert not carries_prose(Page("<div class='share'><a>Share</a> <a>Tweet</a></div>", URL).root.find(".//div"))


def test_only_whole_widget_element_texts_are_taken_out_of_trafilaturas_lines():
    widget = Page("<div class='related'><ul><li><a>China Aluminium Group</a></li>"
                  "<li><a>China Aluminium Group signs a deal</a></li></ul></div>", URL).root.find(".//div")
    lines = ["China Aluminium Group signs a deal", "China Aluminium", "- China Aluminium Group", "Signed by the board."]
    # a line equal to an element's text goes; a line merely contained in one (a signature) stays
    assert without_widget_lines(lines, Widgets(generic=[widget])) == ["China Aluminium", "Signed by the board."]


def test_a_short_reading_after_widget_removal_is_checked_against_the_whole_page():
    # the story sits in short paragraphs inside a box classed as a related list, beside a long footer: the
    # box (a "related" class) is taken for a widget and removed, the reading left is short, and the whole page is read again
    short = "".join(f"<p>{p[:120]}</p>" for p in STORY * 2)
    footer = "<footer>" + "".join(f"<p>Footer line {i} of the publisher's site map</p>" for i in range(60)) + "</footer>"
    html = (f"<html><head><title>Smelters restart potlines</title></head><body><h1>Smelters restart potlines</h1>"
            f"<div class='xiangguan'>{short}</div>{footer}</body></html>")
    result = extract(html)
    assert STORY[1][:120] in result.text


def test_entries_of_a_live_blog_named_like_comments_are_kept():
    """A live blog whose container and entries carry a "comment" class: the container holds most of the page's
    text, so it is the article, and its entries (short, no running text each) are not comment widgets."""
    entries = [f"Minute {minute}: {line}" for minute, line in enumerate([
        "The corner comes to nothing.", "Both sides feel each other out at the start.",
        "A long ball over the top, but the keeper is quicker.", "Yellow card for a late tackle in midfield.",
        "The home side hit the post from twenty metres.", "A free kick is played short and lost.",
        "Substitution: a fresh striker comes on for the last twenty minutes.", "Full time: the home side held on.",
    ] * 3, start=1)]
    items = "".join(f"<div class='live-comment'><div class='live-comment-time'>{i}'</div>"
                    f"<div class='live-comment-body'><p>{entry}</p></div></div>" for i, entry in enumerate(entries))
    report = STORY + ["The match report follows the minute-by-minute account below, written as the game went on."]
    intro = "".join(f"<p>{paragraph}</p>" for paragraph in report)  # a reading long enough on its own
    html = (f"<html><body><h1>Match live</h1>{intro}<div class='live-comments'>{items}</div>"
            f"<div class='comments'><p>Reader: what a game</p></div></body></html>")
    result = extract(html)
    assert_whole_story(result)
    for entry in entries:
        assert entry in result.text
