"""The extraction step against a real Postgres: pages in, articles and recorded rejections out, idempotently."""

from pathlib import Path

import psycopg
import pytest

from ingot.extraction_job import extract_pages
from ingot.sites import load_site
from tests.store.pages import add_crawl_run, add_raw_page, add_site

STORY_ZH = [
    "1月21日，中铝集团董事长段向东在中铝集团总部会见国际铝业协会秘书长迈尔斯·珀瑟。双方就进一步加强合作、推动全球铝行业绿色低碳发展等事宜进行深入交流。",
    "段向东对迈尔斯·珀瑟新年伊始访问中铝集团表示欢迎，感谢国际铝业协会长期以来给予中铝集团的支持，并介绍了中铝集团在绿色低碳发展等方面开展的实践和取得的成效。",
    "他说，近年来，中铝集团坚持科技创新驱动，加大研发投入，丰富产品应用场景，在赤泥综合利用、节能降碳技术研发和推广应用、绿色能源开发利用、再生铝产业发展、绿色矿山建设等方面取得了一系列新成果新突破。",
    "迈尔斯·珀瑟对中铝集团以科技创新推动铝行业绿色低碳发展取得的成绩表示赞赏，并介绍了国际铝业协会下一步工作重点。",
]
STORY_EN = [
    "World crude steel production for the 70 countries reporting to the World Steel Association was 151.4 million "
    "tonnes in July 2026, a 1.2% decrease compared to July 2025.",
    "China produced 79.4 million tonnes in July 2026, down 3.1% on July 2025. India produced 13.1 million tonnes, "
    "up 7.4%. Japan produced 6.9 million tonnes, down 1.5%.",
    "The United States produced 7.0 million tonnes, up 2.4%. Russia is estimated to have produced 5.6 million "
    "tonnes, down 4.0%. South Korea produced 5.2 million tonnes, down 3.3%.",
]


def article_html(title: str, paragraphs: list[str], *, date: str, sidebar: str, lang: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{title}"><meta property="article:published_time" content="{date}"></head>
<body><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/markets/">Markets</a></nav>
<main><article><h1>{title}</h1><div class="date">{date}</div>{body}</article></main>
<aside class="related"><h3>Related</h3><ul>{sidebar}</ul></aside><footer>© News site</footer></body></html>
""".encode()


def list_html() -> bytes:
    items = "".join(f'<li><a href="/news/{i}.html">Steel market update number {i}</a> <span>2026-08-0{i % 9 + 1}</span></li>'
                    for i in range(40))
    return f"<html><head><title>News</title></head><body><nav>Home</nav><ul>{items}</ul></body></html>".encode()


@pytest.fixture
def conn(db_url):
    with psycopg.connect(db_url, autocommit=True) as connection:
        for key in ("alpha", "beta"):
            add_site(connection, key, hosts=(f"{key}.example",))
        yield connection


def seed_pages(conn) -> dict[str, int]:
    run_a, run_b = add_crawl_run(conn, "alpha"), add_crawl_run(conn, "beta")
    return {
        "zh": add_raw_page(conn, run_a, "alpha", "https://alpha.example/news/1.html",
                           article_html("中铝集团董事长会见国际铝业协会秘书长", STORY_ZH, date="2025-01-27T11:28:00+08:00",
                                        sidebar="<li><a href='/x'>铜价上涨</a></li>", lang="zh-CN")),
        "en": add_raw_page(conn, run_a, "alpha", "https://alpha.example/news/2.html",
                           article_html("July 2026 crude steel production", STORY_EN, date="2026-08-22T10:00:00+00:00",
                                        sidebar="<li><a href='/y'>Iron ore slips</a></li>", lang="en")),
        # the same Chinese story syndicated by another site, with other chrome
        "zh_copy": add_raw_page(conn, run_b, "beta", "https://beta.example/a/77.html",
                                article_html("中铝集团董事长会见国际铝业协会秘书长", STORY_ZH,
                                             date="2025-01-28T09:00:00+08:00",
                                             sidebar="<li><a href='/z'>锌价回落</a></li><li>镍</li>", lang="zh-CN")),
        "list": add_raw_page(conn, run_a, "alpha", "https://alpha.example/news/", list_html()),
        "gone": add_raw_page(conn, run_b, "beta", "https://beta.example/a/404.html", b"<html>Not Found</html>",
                             status=404),
    }


def outcomes(conn) -> dict[int, tuple]:
    return {r[0]: r[1:] for r in conn.execute("SELECT raw_page_id, outcome, reason FROM page_extraction")}


def test_pages_become_articles_and_rejections_with_reasons(conn, db_url):
    pages = seed_pages(conn)
    summary = extract_pages(db_url, {}, workers=1)
    recorded = outcomes(conn)
    assert summary.pages == 5 and summary.articles_new == 3
    assert recorded[pages["zh"]] == ("article", None)
    assert recorded[pages["list"]][0] == "rejected" and recorded[pages["list"]][1]
    assert recorded[pages["gone"]] == ("rejected", "http_error")
    zh = conn.execute("SELECT title, text, published_at, language FROM article WHERE raw_page_id = %s",
                      (pages["zh"],)).fetchone()
    assert zh[0] == "中铝集团董事长会见国际铝业协会秘书长"
    assert STORY_ZH[2] in zh[1] and "铜价上涨" not in zh[1]
    assert zh[2].isoformat() == "2025-01-27T03:28:00+00:00"
    assert zh[3] == "zh-Hans"


def test_a_syndicated_copy_joins_the_cluster_and_the_earliest_is_canonical(conn, db_url):
    pages = seed_pages(conn)
    extract_pages(db_url, {}, workers=1)
    rows = {r[0]: r[1:] for r in conn.execute("SELECT raw_page_id, cluster_id, is_canonical FROM article")}
    assert rows[pages["zh"]][0] == rows[pages["zh_copy"]][0]
    assert rows[pages["zh"]][1] is True and rows[pages["zh_copy"]][1] is False
    assert rows[pages["en"]][0] != rows[pages["zh"]][0] and rows[pages["en"]][1] is True


def test_rerunning_changes_no_row_and_reextract_keeps_ids(conn, db_url):
    seed_pages(conn)
    extract_pages(db_url, {}, workers=1)
    snapshot = conn.execute("SELECT id, canonical_url, extracted_at, cluster_id FROM article ORDER BY id").fetchall()
    again = extract_pages(db_url, {}, workers=1)
    assert again.pages == 0
    redo = extract_pages(db_url, {}, reextract=True, workers=1)
    assert redo.pages == 5 and redo.articles_new == 0 and redo.articles_updated == 0
    assert conn.execute("SELECT id, canonical_url, extracted_at, cluster_id FROM article ORDER BY id").fetchall() == snapshot


def test_a_rule_version_bump_selects_the_site_pages_again(conn, db_url, tmp_path: Path):
    seed_pages(conn)
    extract_pages(db_url, {}, workers=1)
    add_site(conn, "alpha", rule_version=2, hosts=("alpha.example",))
    rule = tmp_path / "alpha.yaml"
    rule.write_text("key: alpha\nname: Alpha\nbase_url: https://alpha.example/\ntimezone: Asia/Shanghai\n"
                    "rule_version: 2\nallowed_hosts: [alpha.example]\n")
    summary = extract_pages(db_url, {"alpha": load_site(rule)}, workers=1)
    assert summary.pages == 3
    versions = {r[0] for r in conn.execute("SELECT rule_version FROM page_extraction pe JOIN raw_page rp "
                                           "ON rp.id = pe.raw_page_id WHERE rp.site_key = 'alpha'")}
    assert versions == {2}


def test_process_pool_gives_the_same_rows_as_one_process(conn, db_url):
    seed_pages(conn)
    extract_pages(db_url, {}, workers=2)
    pooled = conn.execute("SELECT raw_page_id, title, text, published_at FROM article ORDER BY raw_page_id").fetchall()
    conn.execute("TRUNCATE article, page_extraction CASCADE")
    extract_pages(db_url, {}, workers=1)
    single = conn.execute("SELECT raw_page_id, title, text, published_at FROM article ORDER BY raw_page_id").fetchall()
    assert pooled == single and len(single) == 3


def test_one_site_and_day_filter(conn, db_url):
    seed_pages(conn)
    summary = extract_pages(db_url, {}, site_key="beta", workers=1)
    assert summary.pages == 2
    assert {r[0] for r in conn.execute("SELECT site_key FROM article")} == {"beta"}


def test_many_batches_each_commit_on_their_own(conn, db_url, monkeypatch):
    monkeypatch.setattr("ingot.extraction_job.BATCH_SIZE", 2)
    seed_pages(conn)
    summary = extract_pages(db_url, {}, workers=1)
    assert summary.pages == 5 and summary.articles_new == 3
    assert conn.execute("SELECT count(*) FROM page_extraction").fetchone()[0] == 5


def test_following_a_crawl_extracts_pages_as_they_land_and_the_rest_at_its_end(conn, db_url, monkeypatch):
    monkeypatch.setattr("ingot.extraction_job.FOLLOW_MIN_PAGES", 2)
    monkeypatch.setattr("ingot.extraction_job.FOLLOW_POLL_SECONDS", 0)
    run = add_crawl_run(conn, "alpha")
    arriving = [(f"https://alpha.example/news/{n}.html",
                 article_html(f"Steel output report {n}", [f"Report {n}: " + p for p in STORY_EN],
                              date="2026-08-22T10:00:00+00:00", sidebar="", lang="en")) for n in range(7)]
    seen_while_crawling: list[int] = []

    def crawl_still_running() -> bool:
        """A crawl storing one page per poll; what was extracted so far is noted at every poll."""
        seen_while_crawling.append(conn.execute("SELECT count(*) FROM page_extraction").fetchone()[0])
        if not arriving:
            return False
        add_raw_page(conn, run, "alpha", *arriving.pop(0))
        return True

    summary = extract_pages(db_url, {}, site_key="alpha", workers=1, follow=crawl_still_running)
    assert summary.pages == 7 and summary.articles_new == 7
    assert conn.execute("SELECT count(*) FROM page_extraction").fetchone()[0] == 7
    assert 0 < max(seen_while_crawling[:-1]) < 7  # pages were extracted before the crawl ended, not all at once
    again = extract_pages(db_url, {}, site_key="alpha", workers=1, follow=lambda: False)
    assert again.pages == 0


def test_following_a_crawl_never_re_extracts():
    with pytest.raises(ValueError, match="follow"):
        extract_pages("postgresql://unused", {}, reextract=True, follow=lambda: True)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_damaged_stored_body_is_recorded_and_the_rest_extracted(conn, db_url, workers):
    pages = seed_pages(conn)
    conn.execute("UPDATE raw_page SET body_zlib = %s WHERE id = %s", (b"not zlib at all", pages["en"]))
    summary = extract_pages(db_url, {}, workers=workers)
    assert summary.pages == 5 and summary.failed == 1 and summary.articles_new == 2
    reason, detail = conn.execute("SELECT reason, detail FROM page_extraction WHERE raw_page_id = %s",
                                  (pages["en"],)).fetchone()
    assert reason == "extractor_error" and "not zlib data" in detail
    assert conn.execute("SELECT count(*) FROM raw_page WHERE id = %s", (pages["en"],)).fetchone()[0] == 1
