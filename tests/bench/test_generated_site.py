"""The generated benchmark site: what the quality figures of bench.run rest on."""

from pathlib import Path

from bench.generated_site import body_quality, quality_share, write_site
from ingot.sites import load_sites


def test_site_rule_loads_and_pages_decode_as_declared(tmp_path: Path):
    site = write_site(tmp_path, "http://www.metals-bench.com:8080/", articles=10, new_articles=2)
    assert len(site.articles) == 12
    assert load_sites(site.sites_dir)["bench"].crawl.sitemaps == ("http://www.metals-bench.com:8080/sitemap.xml",)
    gbk = next(a for a in site.articles if a.section == "gbk")
    body = (site.web_dir / site.host / gbk.path.lstrip("/")).read_bytes()
    assert b'charset="gb2312"' in body and "喆".encode("gbk") in body
    html = body.decode("gb18030")
    assert all(sentence in html for sentence in gbk.known)
    sitemap = (site.web_dir / site.host / "sitemap.xml").read_text()
    assert sitemap.index(site.articles[-1].url) < sitemap.index(site.articles[0].url)  # newest first


def test_quality_needs_every_known_sentence_and_no_boilerplate():
    expected = {"u": {"known": ["Steel output rose.", "Prices fell."], "boilerplate": ["Share this"]}}
    assert body_quality("Steel output  rose.\nPrices fell.", *expected["u"].values()) == (True, True)
    assert body_quality("Steel output rose.", *expected["u"].values()) == (False, True)
    shares = quality_share({"u": "Steel output rose. Prices fell. Share this"}, expected)
    assert shares == {"found": 1.0, "complete": 1.0, "clean": 0.0, "good": 0.0}
    assert quality_share({}, expected)["found"] == 0.0
