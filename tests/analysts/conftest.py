"""A small realistic corpus for the analysts' surface: sites, articles in five languages and scripts, a story
syndicated by three sites, and a month of crawl runs, inserted directly, then indexed with index_articles."""

from __future__ import annotations

import datetime
import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from ingot.indexing import index_articles

TEXTS = Path(__file__).parent / "texts"

SITES = {
    "cnmn": ("中国有色网", "https://www.cnmn.com.cn/", ["zh-Hans"], "Asia/Shanghai"),
    "cmra": ("中国再生资源回收利用协会", "https://www.cmra.cn/", ["zh-Hans"], "Asia/Shanghai"),
    "chinania": ("中国有色金属工业协会", "https://www.chinania.org.cn/", ["zh-Hans"], "Asia/Shanghai"),
    "smm_fr": ("SMM (français)", "https://news.metal.com/fr/", ["fr"], "Asia/Shanghai"),
    "isit": ("Iron and Steel Institute of Thailand", "https://www.isit.or.th/", ["th", "en"], "Asia/Bangkok"),
    "alcircle": ("AlCircle", "https://www.alcircle.com/", ["en"], "Asia/Kolkata"),
}


def text(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Corpus:
    db_url: str
    ids: dict[str, int]
    indexed: int


def insert_sites(conn) -> None:
    for key, (name, base_url, languages, timezone) in SITES.items():
        conn.execute(
            "INSERT INTO site (key, name, base_url, languages, timezone, rule_version) VALUES (%s, %s, %s, %s, %s, 1)",
            (key, name, base_url, languages, timezone),
        )


def insert_article(conn, *, site, slug, title, body, language, published_at, cluster_id=None, is_canonical=True,
                   authors=()) -> int:
    url = f"{SITES[site][1]}news/{slug}.html"
    return conn.execute(
        "INSERT INTO article (canonical_url, url, site_key, title, text, text_sha256, authors, published_at, "
        "language, cluster_id, is_canonical, rule_version, extractor_version) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 1, 'test') RETURNING id",
        (url, url, site, title, body, hashlib.sha256(body.encode()).hexdigest(), list(authors), published_at,
         language, cluster_id, is_canonical),
    ).fetchone()[0]


def insert_corpus_articles(conn, now: datetime.datetime) -> dict[str, int]:
    hours = lambda n: now - datetime.timedelta(hours=n)  # noqa: E731
    ids = {}
    initiative = "中铝集团和魏桥集团联合发布《加快铝工业绿色低碳发展联合倡议书》"
    ids["zh_initiative"] = insert_article(conn, site="cnmn", slug="initiative", title=initiative,
                                          body=text("seed002.txt"), language="zh-Hans", published_at=hours(2))
    cluster = ids["zh_initiative"]
    ids["zh_initiative_cmra"] = insert_article(
        conn, site="cmra", slug="initiative", title=initiative, body=text("seed002.txt"), language="zh-Hans",
        published_at=hours(1), cluster_id=cluster, is_canonical=False)
    ids["zh_initiative_chinania"] = insert_article(
        conn, site="chinania", slug="initiative", title=initiative, body=text("seed002.txt"), language="zh-Hans",
        published_at=hours(0.5), cluster_id=cluster, is_canonical=False)
    conn.execute("UPDATE article SET cluster_id = id WHERE id = %s", (cluster,))
    meeting = "中鋁集團董事長段向東會見國際鋁業協會秘書長邁爾斯·珀瑟"
    ids["zh_hant_meeting"] = insert_article(conn, site="cnmn", slug="meeting", title=meeting,
                                            body=text("seed000.txt"), language="zh-Hant", published_at=hours(3),
                                            authors=["郭志民", "楊寧"])
    ids["zh_hant_meeting_cmra"] = insert_article(
        conn, site="cmra", slug="meeting", title=meeting, body=text("seed000.txt"), language="zh-Hant",
        published_at=hours(2.5), cluster_id=ids["zh_hant_meeting"], is_canonical=False)
    ids["zh_conference"] = insert_article(
        conn, site="chinania", slug="conference",
        title="与“铝”相约 共话发展 千亿“铝”途绿为底——第五届中国铝工业高质量发展大会侧记",
        body=text("seed001.txt"), language="zh-Hans", published_at=now - datetime.timedelta(days=10))
    ids["fr_asi"] = insert_article(
        conn, site="smm_fr", slug="asi-visite",
        title="Une délégation de haut niveau de l’Aluminium Stewardship Initiative (ASI) visite SMM pour discuter "
        "du développement durable et de la coopération dans l’industrie de l’aluminium",
        body=text("seed003.txt"), language="fr", published_at=hours(5))
    ids["en_isit_conference"] = insert_article(
        conn, site="isit", slug="green-steel-conference",
        title="การประชุมการพัฒนาเหล็กสีเขียวและคาร์บอนต่ำแห่งชาติครั้งที่ 4 จัดขึ้นที่เมือง Nanjing.",
        body=text("seed004.txt"), language="en",
        published_at=datetime.datetime(2023, 9, 14, tzinfo=datetime.timezone(datetime.timedelta(hours=7))))
    ids["th_cbam"] = insert_article(
        conn, site="isit", slug="cbam-thai-steel",
        title="สถาบันเหล็กฯ ชี้อุตสาหกรรมเหล็กไทยต้องเร่งลดคาร์บอนรับมาตรการ CBAM",
        body=text("thai_steel.txt"), language="th", published_at=hours(4))
    ids["en_gulf"] = insert_article(
        conn, site="alcircle", slug="gulf-smelters-cbam",
        title="EU CBAM pushes Gulf aluminium smelters toward green power",
        body=text("english_aluminium.txt"), language="en", published_at=hours(6))
    return ids


def insert_crawl_day(conn, site: str, day: datetime.date, outcomes: list[tuple[str, str | None]]) -> None:
    """One crawl run with one article page per outcome: ("article", None) or ("rejected", reason)."""
    run_id = conn.execute(
        "INSERT INTO crawl_run (site_key, news_day, status, finished_at, stats) "
        "VALUES (%s, %s, 'succeeded', now(), '{\"requests\": 10}') RETURNING id",
        (site, day),
    ).fetchone()[0]
    for n, (outcome, reason) in enumerate(outcomes):
        url = f"{SITES[site][1]}news/{day.isoformat()}-{n}.html"
        body = f"<html><body>{url}</body></html>".encode()
        page_id = conn.execute(
            "INSERT INTO raw_page (crawl_run_id, site_key, url, final_url, canonical_url, http_status, body_zlib, "
            "body_size, body_sha256, fetched_at) VALUES (%s, %s, %s, %s, %s, 200, %s, %s, %s, %s) RETURNING id",
            (run_id, site, url, url, url, zlib.compress(body), len(body), hashlib.sha256(body).hexdigest(),
             datetime.datetime.combine(day, datetime.time(12), datetime.timezone.utc)),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO page_extraction (raw_page_id, outcome, reason, rule_version, extractor_version) "
            "VALUES (%s, %s, %s, 1, 'test')",
            (page_id, outcome, reason),
        )


def insert_crawl_history(conn, today: datetime.date) -> None:
    """cnmn yielded 4 articles a day for two weeks, then 1 a day over the last 7 days (yesterday's quality check
    warned); cmra a steady 2."""
    for days_ago in range(1, 22):
        day = today - datetime.timedelta(days=days_ago)
        recent = days_ago <= 7
        cnmn = [("article", None)] * (1 if recent else 4)
        if recent:
            cnmn += [("rejected", "not_article"), ("rejected", "not_article"), ("rejected", "paywalled")]
        insert_crawl_day(conn, "cnmn", day, cnmn)
        insert_crawl_day(conn, "cmra", day, [("article", None), ("article", None)])
    conn.execute(
        "INSERT INTO quality_check (site_key, news_day, metric, value, baseline, status, message) "
        "VALUES ('cnmn', %s, 'articles_found', 1, 4, 'warn', 'cnmn: 1 article found, usually 4')",
        (today - datetime.timedelta(days=1),),
    )


@pytest.fixture
def corpus(db_url) -> Corpus:
    with psycopg.connect(db_url) as conn:
        now = conn.execute("SELECT now()").fetchone()[0]
        today = conn.execute("SELECT current_date").fetchone()[0]
        insert_sites(conn)
        ids = insert_corpus_articles(conn, now)
        insert_crawl_history(conn, today)
        conn.execute("SELECT rebuild_stories()")  # the rows went in by hand, not through the article store
    return Corpus(db_url, ids, index_articles(db_url))
