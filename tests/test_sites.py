import pytest

from ingot.errors import SiteRuleError
from ingot.sites import load_site, load_sites

VALID = """\
key: example_news
name: Example News
base_url: https://news.example.com/
languages: [en]
timezone: Europe/Paris
rule_version: 2
allowed_hosts: [news.example.com]
crawl:
  feeds: [https://news.example.com/feed/]
  article_patterns: ['/\\d{4}/\\d{2}/[a-z0-9-]+/$']
"""


def write_rule(tmp_path, text, name="example_news"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def test_a_valid_rule_file_loads(tmp_path):
    site = load_site(write_rule(tmp_path, VALID))
    assert site.key == "example_news"
    assert site.allowed_hosts == ("news.example.com",)
    assert site.crawl.feeds == ("https://news.example.com/feed/",)
    assert site.crawl.article_patterns[0].search("https://news.example.com/2026/01/steel-up/")
    assert site.enabled and site.rule_version == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("rule_version: 2", "rule_version: 2\ncolour: blue"), "unknown key 'colour'"),
        (("timezone: Europe/Paris", "timezone: Mars/Olympus"), "timezone"),
        (("key: example_news", "key: other"), "must equal the file name"),
        (("allowed_hosts: [news.example.com]", "allowed_hosts: [mirror.example.net]"), "base_url"),
        (("rule_version: 2", "rule_version: zero"), "rule_version"),
        (("  feeds: [https://news.example.com/feed/]", "  feeds: [ftp://x/feed]"), "crawl.feeds[0]"),
        (("  feeds:", "  fedes:"), "crawl.fedes: unknown key"),
        (("'/\\d{4}", "'(/\\d{4}"), "crawl.article_patterns[0]: bad regex"),
    ],
)
def test_invalid_rule_files_name_file_and_key(tmp_path, change, message):
    path = write_rule(tmp_path, VALID.replace(*change))
    with pytest.raises(SiteRuleError) as error:
        load_site(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write_rule(tmp_path, VALID + "crawl: [unclosed\n")
    with pytest.raises(SiteRuleError, match=r"example_news.yaml line \d+"):
        load_site(path)


def test_load_sites_reads_every_file_in_key_order(tmp_path):
    write_rule(tmp_path, VALID)
    write_rule(tmp_path, VALID.replace("example_news", "another"), name="another")
    assert list(load_sites(tmp_path)) == ["another", "example_news"]


def test_missing_rule_folder_is_a_clear_error(tmp_path):
    with pytest.raises(SiteRuleError, match="does not exist"):
        load_sites(tmp_path / "nope")


def test_a_checked_note_is_kept_and_must_be_a_sentence(tmp_path):
    site = load_site(write_rule(tmp_path, VALID + "checked: fixture web only; path shape from the site's sitemap\n"))
    assert site.checked == "fixture web only; path shape from the site's sitemap"
    with pytest.raises(SiteRuleError, match="checked: a sentence"):
        load_site(write_rule(tmp_path, VALID + "checked: [2026]\n"))


def test_every_shipped_rule_says_what_its_urls_were_checked_against():
    from ingot.paths import SITES_DIR

    unchecked = [key for key, site in load_sites(SITES_DIR).items() if not site.checked or len(site.checked) < 20]
    assert unchecked == []


def test_the_cmra_rule_takes_the_dated_article_paths_of_both_hosts():
    from ingot.paths import SITES_DIR

    cmra = load_sites(SITES_DIR)["cmra"]
    assert {"cmra.cn", "www.cmra.cn"} <= set(cmra.allowed_hosts)
    patterns = cmra.crawl.article_patterns
    public = "http://cmra.cn/cmra/xiehuigongzuo/20220929/233692.html"  # a CMRA page as a public copy shows it
    for url in (public, public.replace("//cmra.cn", "//www.cmra.cn")):
        assert any(p.search(url) for p in patterns), url
    for url in ("http://www.cmra.cn/cmra/xiehuigongzuo/", "http://www.cmra.cn/xiehuigongzuo/4436.html",
                "http://www.cmra.cn/cmra/xiehuigongzuo/2022/233692.html"):
        assert not any(p.search(url) for p in patterns), url
