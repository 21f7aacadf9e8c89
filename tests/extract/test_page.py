"""The parsed page's fast lookups (texts, links, paywall prompts) give exactly what the plain ways give."""

from extract.page import Page

TRICKY = """<html><head><title>T</title><style>p{}</style><script>var x = "hidden";</script></head>
<body>before<div id="a">One <b>bold</b><script>no</script> tail-of-script <svg><text>no svg</text></svg>after svg
<noscript>no noscript</noscript>鋼材<template><p>no template</p></template>
<ul><li><a href="/1">First headline link here</a> 9/28</li><li><a href="/2">Second headline link</a></li></ul>
</div>end</body></html>"""


def test_visible_text_skips_scripts_styles_and_the_like_but_keeps_their_tails():
    page = Page(TRICKY, "https://example.com/a")
    for hidden in ("hidden", "no svg", "no noscript", "no template", "p{}"):
        assert hidden not in page.visible_text()
    assert "tail-of-script" in page.visible_text() and "after svg" in page.visible_text()


def test_anchor_texts_are_the_links_of_headline_length():
    page = Page(TRICKY, "https://example.com/a")
    assert page.anchor_texts() == {"First headline link here", "Second headline link"}


def test_paywall_prompts_are_found_whatever_their_case():
    from extract.metadata import paywall_phrase_in

    for text in ("Subscribe Now To Continue reading", "ARTICLE RÉSERVÉ AUX ABONNÉS", "登录后查看全文", "Log In To Read"):
        assert paywall_phrase_in(f"Steel prices rose. {text}.", None) == (False, True), text
    assert paywall_phrase_in("Steel prices rose; subscribers of the mill were told.", None) == (False, False)
