"""The five seed pages (plus the real-cnmn twin of seed 000): fixture path, URL, site zone and site rules.

The rules are what each site's `extract:` section would carry (SITES.md §2); they are written here because
site files live elsewhere, and they must parse with `parse_extract_rules` like any site file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from extract import ExtractRules, parse_extract_rules

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "tests" / "fixtures" / "web"
EXPECTED = ROOT / "tests" / "fixtures" / "expected" / "seeds"
DATA = Path(__file__).resolve().parent / "data"
GOLD_FILE = EXPECTED / "gold.json"  # copy of /work/shared/seeds/gold.json
# Fetch time of the fixtures: after every date on them (gmw's sidebar shows 2025-11-24).
FETCHED_AT = datetime(2025, 12, 1, 4, 0, tzinfo=timezone.utc)

CNMN = dict(allowed_hosts=["www.cnmn.com.cn", "paper.cnmn.com.cn", "m.cnmn.com.cn"], timezone="Asia/Shanghai", extract={
    "title_selector": "h4.h4title", "body_selector": "#txtcont", "date_selector": "p.info span.time",
    "drop_selectors": ["span.view", "div.shengming"], "cut_patterns": ["^中国有色网声明"],
    "drop_patterns": ["如需了解更多信息"]})
GMW = dict(allowed_hosts=["difang.gmw.cn", "www.gmw.cn", "m.gmw.cn"], timezone="Asia/Shanghai", extract={
    "title_selector": "h1.u-title", "body_selector": "div.u-mainText", "date_selector": "span.m-con-time",
    "source_selector": "span.m-con-source a", "drop_selectors": ["#shareMask", ".g-tips", ".m-tjyd", ".m-mood"]})
CMRA = dict(allowed_hosts=["www.cmra.cn", "cmra.cn"], timezone="Asia/Shanghai", extract={
    "title_selector": "div.article h1.title", "body_selector": "div.article div.content",
    "source_selector": "div.laiyuan", "editor_selector": "div.zeren", "drop_selectors": ["div.tuijian", "div.rdnr"]})
SMM = dict(allowed_hosts=["news.metal.com", "www.metal.com"], timezone="Asia/Shanghai", extract={
    "title_selector": "h1[class*='title___']", "body_selector": "div[class*='newsContent___']",
    "date_selector": "li[class*='date___']", "drop_selectors": ["[class*='whatsapp___']", "[class*='survey___']"]})
ISIT = dict(allowed_hosts=["iiu.isit.or.th"], timezone="Asia/Bangkok", extract={
    "title_selector": "#ContentPlaceHolder1_lblTitle", "body_selector": "#ContentPlaceHolder1_divContent",
    "date_selector": "#ContentPlaceHolder1_lblDate", "source_selector": "#ContentPlaceHolder1_lblSource",
    "cut_patterns": ["^Related News$"]})


@dataclass(frozen=True)
class SeedPage:
    key: str          # gold.json key, or "000-cnmn" for the real-cnmn twin of seed 000
    path: str         # under tests/fixtures/web
    url: str
    timezone: str
    site: dict
    url_day: str | None = None  # the publication day the URL path carries, for a page that prints no date

    def body(self) -> bytes:
        return (WEB / self.path).read_bytes()

    def rules(self) -> ExtractRules:
        return parse_extract_rules(self.site["extract"], allowed_hosts=self.site["allowed_hosts"],
                                   timezone=self.site["timezone"])


SMM_SLUG = "103442297-une-delegation-de-haut-niveau-de-l-aluminium-stewardship-initiative-asi-visite-smm"
SEED_PAGES = {
    "000": SeedPage("000", "m.caoyihen.com/ShowNews1.aspx@id=468110",
                    "https://m.caoyihen.com/ShowNews1.aspx?id=468110", "Asia/Shanghai", CNMN),
    "000-cnmn": SeedPage("000-cnmn", "www.cnmn.com.cn/ShowNews1.aspx@id=459472",
                         "https://www.cnmn.com.cn/ShowNews1.aspx?id=459472", "Asia/Shanghai", CNMN),
    "001": SeedPage("001", "difang.gmw.cn/nmg/2024-07/04/content_37421613.htm",
                    "https://difang.gmw.cn/nmg/2024-07/04/content_37421613.htm", "Asia/Shanghai", GMW),
    "002": SeedPage("002", "www.cmra.cn/cmra/xiehuigongzuo/20210118/204436.html",
                    "http://www.cmra.cn/cmra/xiehuigongzuo/20210118/204436.html", "Asia/Shanghai", CMRA,
                    url_day="2021-01-18"),
    "003": SeedPage("003", f"news.metal.com/fr/newscontent/{SMM_SLUG}",
                    f"https://news.metal.com/fr/newscontent/{SMM_SLUG}", "Asia/Shanghai", SMM),
    "004": SeedPage("004", "iiu.isit.or.th/th/news/Business News/Content-6342.aspx",
                    "https://iiu.isit.or.th/th/news/Business%20News/Content-6342.aspx", "Asia/Bangkok", ISIT),
}


def load_gold() -> dict:
    return json.loads(GOLD_FILE.read_text(encoding="utf-8"))
