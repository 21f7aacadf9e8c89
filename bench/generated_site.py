"""A generated news site for the end-to-end benchmarks: N article pages in several languages, listing pages, an
RSS feed, a sitemap, robots.txt and the site rule file that crawls it.

    write_site(root, base_url, articles=2000) -> GeneratedSite

Sections: ``zh`` (zh-Hans, UTF-8), ``gbk`` (zh-Hans encoded as GBK, declared as gb2312 in the page only, with
characters outside GB2312 such as 喆), ``en``, ``fr`` and ``th``. Each page looks like a real portal's article:
a long navigation bar, inline script and style, meta tags and JSON-LD, a byline, the body, then share buttons, an
editor's disclaimer inside the article container, related links and a footer. Every page records its *known
sentences* (must be in an extracted body) and *boilerplate* (must not be), so extraction quality is measured,
not assumed.

Files follow ``ingot.fixture_web``'s layout (``<root>/<host>/<path>``, ``.meta.json`` sidecars), so the tree can
be served by either server. ``write_site(..., new_articles=k)`` adds the k newest articles of the next day (the
incremental-day variant): the same URLs as before plus k new ones at the top of the listings, feed and sitemap.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

SITE_KEY = "bench"
PER_LIST_PAGE = 50
FEED_ITEMS = 50
TZ = timezone(timedelta(hours=8))
START = datetime(2026, 3, 1, 8, 0, tzinfo=TZ)

SECTIONS = ("zh", "gbk", "en", "fr", "th")

SENTENCES = {
    "zh": [
        "{n}月份国内电解铝产量同比增长{p}%，运行产能维持在4300万吨附近。",
        "据行业调研，{city}地区铝棒库存较上周减少{k}万吨，下游加工企业开工率回升。",
        "分析人士认为，绿色电力在电解铝生产中的占比提升将显著降低单位产品碳排放。",
        "再生铝项目{k}期工程正式投产，年处理废铝能力达到{k}0万吨。",
        "钢铁行业超低排放改造持续推进，已有{k}家企业完成全流程评估监测。",
        "欧盟碳边境调节机制过渡期内，出口企业需按季度报送产品隐含碳排放数据。",
        "氧化铝现货价格报{price}元/吨，较上一交易日上涨{p}元，市场成交偏淡。",
        "{city}某铜冶炼企业表示，二季度加工费谈判结果好于市场预期。",
        "锂盐价格在低位震荡，部分矿山已宣布减产计划以应对需求放缓。",
        "废钢到厂价格小幅上调，电炉钢利润空间有所修复，开工率升至{p}%。",
        "工业和信息化部发布通知，要求严控新增电解铝产能，推动产能置换。",
        "稀土永磁材料出口量同比增长{p}%，新能源汽车需求是主要拉动因素。",
    ],
    "en": [
        "Primary aluminium output in {city} rose {p}% year on year in month {n}, according to industry data.",
        "Steelmakers in the region have committed to cutting emissions by {p}% before the end of the decade.",
        "The smelter plans to switch {k}0% of its power supply to hydropower under a new long-term contract.",
        "Scrap prices edged higher this week as electric arc furnace mills rebuilt their inventories.",
        "Analysts expect the carbon border adjustment mechanism to reshape trade flows for flat steel products.",
        "Alumina spot prices climbed to ${price} per tonne, the highest level in {k} weeks.",
        "Copper concentrate treatment charges fell again as new smelting capacity came online in {city}.",
        "The company said its low-carbon aluminium brand accounted for {p}% of sales in the quarter.",
        "Nickel producers are reviewing output plans after prices slipped below production costs.",
        "Rebar demand in {city} remained weak, with construction activity yet to recover from the holiday.",
        "The mill commissioned a hydrogen-based direct reduction pilot plant with a capacity of {k}00,000 tonnes.",
        "Lithium carbonate futures traded in a narrow range as buyers waited for clearer demand signals.",
    ],
    "fr": [
        "La production d'aluminium primaire a progressé de {p} % sur un an à {city} au mois {n}.",
        "Les sidérurgistes européens réclament un renforcement des mesures de sauvegarde sur l'acier importé.",
        "L'usine prévoit de porter à {k}0 % la part d'électricité bas carbone dans son approvisionnement.",
        "Le prix de la ferraille a légèrement augmenté cette semaine, soutenu par la demande des aciéries électriques.",
        "Selon les analystes, le mécanisme d'ajustement carbone aux frontières modifiera les flux commerciaux.",
        "Le cours de l'alumine a atteint {price} dollars la tonne, un sommet depuis {k} semaines.",
        "Le groupe a annoncé un investissement de {k}0 millions d'euros dans le recyclage de l'aluminium.",
        "La demande de cuivre reste soutenue par les réseaux électriques et les véhicules électriques.",
        "Les producteurs de nickel revoient leurs plans de production après la baisse des prix.",
        "Le site de {city} a mis en service une unité pilote de réduction directe à l'hydrogène.",
        "Les importations de produits plats ont reculé de {p} % au premier trimestre selon les douanes.",
        "Les coopérations industrielles se multiplient autour de l'acier vert et de l'aluminium recyclé.",
    ],
    "th": [
        "ปริมาณการผลิตเหล็กในประเทศเดือนที่ {n} เพิ่มขึ้นร้อยละ {p} เมื่อเทียบกับปีก่อน",
        "ผู้ผลิตอะลูมิเนียมใน{city}เร่งลงทุนพลังงานสะอาดเพื่อลดการปล่อยคาร์บอน",
        "สถาบันเหล็กและเหล็กกล้าแห่งประเทศไทยคาดว่าความต้องการใช้เหล็กจะฟื้นตัวในไตรมาสที่ {k}",
        "ราคาเศษเหล็กปรับตัวสูงขึ้นเล็กน้อยตามความต้องการของโรงงานเตาอาร์คไฟฟ้า",
        "การนำเข้าเหล็กแผ่นรีดร้อนลดลงร้อยละ {p} หลังมาตรการตอบโต้การทุ่มตลาดมีผลบังคับใช้",
        "ราคาทองแดงในตลาดโลกเคลื่อนไหวในกรอบแคบ นักลงทุนรอสัญญาณจากภาคการผลิต",
        "โครงการรีไซเคิลอะลูมิเนียมแห่งใหม่มีกำลังการผลิต {k}0,000 ตันต่อปี",
        "ภาคอุตสาหกรรมยานยนต์ไฟฟ้าเป็นแรงขับเคลื่อนสำคัญของความต้องการนิกเกิลและลิเธียม",
        "ผู้ประกอบการเหล็กเรียกร้องให้ภาครัฐเร่งใช้มาตรการปกป้องอุตสาหกรรมภายในประเทศ",
        "การใช้ไฟฟ้าจากพลังงานแสงอาทิตย์ในโรงงานช่วยลดต้นทุนได้ประมาณร้อยละ {p}",
        "กลุ่มบริษัทประกาศแผนลงทุนเตาหลอมไฮโดรเจนเพื่อผลิตเหล็กคาร์บอนต่ำ",
        "ตลาดเหล็กเส้นก่อสร้างยังทรงตัว เนื่องจากโครงการภาครัฐเริ่มดำเนินการล่าช้า",
    ],
}
SENTENCES["gbk"] = SENTENCES["zh"] + ["首席分析师王喆表示，{city}地区铝加工企业订单环比增加{p}%，旺季特征逐步显现。"]

CITIES = {"zh": ["上海", "河南", "山东", "云南", "内蒙古", "广西"], "en": ["Shandong", "Quebec", "Norway", "Bahrain"],
          "fr": ["Dunkerque", "Fos-sur-Mer", "Saint-Jean-de-Maurienne", "Lyon"],
          "th": ["ระยอง", "ชลบุรี", "กรุงเทพฯ", "สมุทรปราการ"]}
CITIES["gbk"] = CITIES["zh"]
TITLES = {
    "zh": ["电解铝产能与碳排放观察", "钢铁行业绿色低碳转型", "有色金属市场周评", "再生金属产业动态"],
    "en": ["Aluminium market update", "Green steel investment tracker", "Metals weekly review", "Scrap market report"],
    "fr": ["Point sur le marché de l'aluminium", "Acier vert : les projets", "Revue hebdomadaire des métaux",
           "Recyclage : où en est la filière"],
    "th": ["สถานการณ์ตลาดเหล็ก", "อะลูมิเนียมคาร์บอนต่ำ", "ทบทวนตลาดโลหะรายสัปดาห์", "อุตสาหกรรมรีไซเคิล"],
}
TITLES["gbk"] = TITLES["zh"]
AUTHORS = {"zh": ["李明", "张华", "陈静"], "gbk": ["王喆", "刘洋", "赵敏"], "en": ["Sarah Miller", "James Chen"],
           "fr": ["Claire Dubois", "Marc Laurent"], "th": ["สมชาย ใจดี", "วิภา ศรีสุข"]}
# Chrome every page carries: none of it may reach an extracted body.
CHROME = {
    "zh": {"disclaimer": "本网声明：凡注明来源为本网的稿件，版权均属本网所有，转载请注明出处，违者必究。",
           "share": "分享到微信朋友圈", "related": "相关阅读", "footer": "版权所有 金属行业资讯网 京ICP备12345678号",
           "cookie": "本网站使用Cookie以改善您的浏览体验"},
    "en": {"disclaimer": "Disclaimer: this article is provided for information only and does not constitute "
                         "investment advice; reproduction without written permission is prohibited.",
           "share": "Share this article on LinkedIn", "related": "Related articles",
           "footer": "Copyright Metals Bench Media Ltd. All rights reserved.",
           "cookie": "We use cookies to improve your browsing experience"},
    "fr": {"disclaimer": "Avertissement : cet article est fourni à titre d'information et ne constitue pas un "
                         "conseil en investissement ; toute reproduction est interdite sans autorisation.",
           "share": "Partager cet article sur LinkedIn", "related": "Articles similaires",
           "footer": "Copyright Metals Bench Media. Tous droits réservés.",
           "cookie": "Nous utilisons des cookies pour améliorer votre navigation"},
    "th": {"disclaimer": "ข้อสงวนสิทธิ์: บทความนี้มีวัตถุประสงค์เพื่อให้ข้อมูลเท่านั้น ห้ามนำไปเผยแพร่ซ้ำโดยไม่ได้รับอนุญาต",
           "share": "แชร์บทความนี้ไปยัง LINE", "related": "ข่าวที่เกี่ยวข้อง",
           "footer": "สงวนลิขสิทธิ์ เมทัลส์ เบนช์ มีเดีย", "cookie": "เว็บไซต์นี้ใช้คุกกี้เพื่อพัฒนาประสบการณ์ของคุณ"},
}
CHROME["gbk"] = CHROME["zh"]
LANG = {"zh": "zh-Hans", "gbk": "zh-Hans", "en": "en", "fr": "fr", "th": "th"}
NAV = {"zh": "首页 要闻 铝业 钢铁 铜业 镍钴 锂电 稀土 再生金属 绿色低碳 碳市场 数据 价格 专题 会展 视频",
       "en": "Home News Aluminium Steel Copper Nickel Lithium Rare-earths Recycling Low-carbon Markets Prices Data",
       "fr": "Accueil Actualités Aluminium Acier Cuivre Nickel Lithium Recyclage Décarbonation Marchés Prix",
       "th": "หน้าแรก ข่าว อะลูมิเนียม เหล็ก ทองแดง นิกเกิล ลิเธียม รีไซเคิล คาร์บอนต่ำ ตลาด ราคา"}
NAV["gbk"] = NAV["zh"]
SCRIPT = ("var _hmt=_hmt||[];(function(){var hm=document.createElement('script');hm.src='/stat.js?v=%d';"
          "var s=document.getElementsByTagName('script')[0];s.parentNode.insertBefore(hm,s);})();"
          "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());")
STYLE = ".nav a{margin:0 6px;color:#333}.article-body p{line-height:1.8;text-indent:2em}" * 60


@dataclass(frozen=True)
class ArticleSpec:
    index: int
    section: str
    url: str
    path: str
    title: str
    published: datetime
    known: tuple[str, ...]  # sentences an extracted body must contain
    boilerplate: tuple[str, ...]  # texts it must not contain


@dataclass
class GeneratedSite:
    root: Path
    base_url: str
    host: str
    articles: list[ArticleSpec] = field(default_factory=list)
    list_pages: int = 0

    @property
    def sites_dir(self) -> Path:
        return self.root / "sites"

    @property
    def web_dir(self) -> Path:
        return self.root / "web"

    def expectations(self) -> dict[str, dict]:
        return {a.url: {"known": list(a.known), "boilerplate": list(a.boilerplate), "section": a.section}
                for a in self.articles}


def article_specs(base_url: str, count: int, seed: int = 11) -> list[tuple[ArticleSpec, list[str], str]]:
    """The articles, oldest first: spec, body paragraphs and author. Deterministic for a seed."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        section = SECTIONS[i % len(SECTIONS)]
        published = START + timedelta(minutes=37 * i)
        path = f"/{section}/{published:%Y/%m/%d}/article-{i:05d}.html"
        paragraphs = []
        for _ in range(rng.randint(6, 10)):
            sentences = rng.sample(SENTENCES[section], 2)
            values = dict(n=rng.randint(1, 12), p=rng.randint(2, 40), k=rng.randint(2, 9),
                          city=rng.choice(CITIES[section]), price=rng.randint(2800, 3600))
            joiner = "" if section in ("zh", "gbk", "th") else " "
            paragraphs.append(joiner.join(s.format(**values) for s in sentences) + f" [{i}-{len(paragraphs)}]")
        if section == "gbk":  # the sentence with GBK-only characters is always there
            paragraphs[1] = SENTENCES["gbk"][-1].format(city=rng.choice(CITIES["gbk"]), p=rng.randint(2, 40))
        title = f"{rng.choice(TITLES[section])} {i:05d}"
        chrome = CHROME[section]
        known = (paragraphs[0], paragraphs[len(paragraphs) // 2], paragraphs[-1])
        boilerplate = (chrome["disclaimer"], chrome["share"], chrome["footer"], chrome["cookie"], NAV[section][:12])
        spec = ArticleSpec(i, section, base_url.rstrip("/") + path, path, title, published, known, boilerplate)
        out.append((spec, paragraphs, rng.choice(AUTHORS[section])))
    return out


def article_html(spec: ArticleSpec, paragraphs: list[str], author: str, related: list[ArticleSpec]) -> str:
    s = spec.section
    chrome = CHROME[s]
    charset = "gb2312" if s == "gbk" else "utf-8"
    date_text = (f"{spec.published:%Y年%m月%d日 %H:%M}" if s in ("zh", "gbk") else f"{spec.published:%Y-%m-%d %H:%M}")
    nav = "".join(f'<a href="/{s}/channel-{j}.html">{word}</a>' for j, word in enumerate(NAV[s].split()))
    jsonld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": spec.title,
                         "datePublished": spec.published.isoformat(), "author": {"@type": "Person", "name": author},
                         "inLanguage": LANG[s]}, ensure_ascii=False)
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    related_items = "".join(f'<li><a href="{r.path}">{r.title}</a><span class="d">{r.published:%Y-%m-%d}</span></li>'
                            for r in related)
    hot = "".join(f'<li><a href="/{s}/hot-{j}.html">{TITLES[s][j % 4]} {j}</a></li>' for j in range(30))
    links = "".join(f'<a href="/partner-{j}.html">Partner {j}</a> ' for j in range(40))
    config = json.dumps({"ads": [{"slot": f"slot-{j}", "sizes": [[300, 250], [728, 90]]} for j in range(60)]})
    return f"""<!DOCTYPE html>
<html lang="{LANG[s]}">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{spec.title} - Metals Bench</title>
<meta name="description" content="{paragraphs[0][:80]}">
<meta property="og:title" content="{spec.title}">
<meta property="og:type" content="article">
<meta property="og:url" content="{spec.url}">
<meta property="article:published_time" content="{spec.published.isoformat()}">
<link rel="canonical" href="{spec.url}">
<style>{STYLE}</style>
<script type="application/ld+json">{jsonld}</script>
<script>{SCRIPT % spec.index}</script>
</head>
<body>
<div class="cookie-banner">{chrome["cookie"]} <button>OK</button></div>
<header class="top"><div class="logo"><a href="/">Metals Bench</a></div>
<nav class="nav">{nav}</nav>
<form class="search" action="/search"><input name="q"><button>Go</button></form></header>
<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/{s}/">{s}</a> &gt; {spec.title}</div>
<div class="main">
<article class="story">
<h1 class="headline">{spec.title}</h1>
<div class="byline"><span class="author">{author}</span> <span class="pubtime">{date_text}</span></div>
<div class="share"><a href="#wx">{chrome["share"]}</a> <a href="#wb">Weibo</a> <a href="#li">LinkedIn</a></div>
<div class="article-body">
{body}
</div>
<p class="disclaimer">{chrome["disclaimer"]}</p>
<div class="tags"><a href="/tag/aluminium">aluminium</a> <a href="/tag/steel">steel</a></div>
</article>
<section class="related"><h3>{chrome["related"]}</h3><ul>{related_items}</ul></section>
<aside class="hot"><h3>Hot</h3><ul>{hot}</ul></aside>
</div>
<footer class="foot"><p>{chrome["footer"]}</p><p><a href="/about">About</a> <a href="/contact">Contact</a></p><div class="partners">{links}</div></footer>
<script>window.__CONFIG__={config};</script>
<script>{SCRIPT % (spec.index + 1)}</script>
</body>
</html>
"""


def list_html(page: int, pages: int, items: list[ArticleSpec]) -> str:
    rows = "".join(f'<li class="item"><a href="{a.path}">{a.title}</a> <span class="time">{a.published:%Y-%m-%d %H:%M}'
                   f"</span></li>\n" for a in items)
    nxt = f'<a class="next" href="/news/page-{page + 1}.html">Next</a>' if page < pages else ""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>News page {page}</title></head><body>'
            f'<nav class="nav">{NAV["en"]}</nav><ul class="news-list">\n{rows}</ul><div class="pager">{nxt}</div>'
            f"</body></html>")


def feed_xml(base_url: str, items: list[ArticleSpec]) -> str:
    entries = "".join(f"<item><title>{a.title}</title><link>{a.url}</link>"
                      f"<pubDate>{a.published.strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate></item>\n" for a in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Metals Bench</title>'
            f"<link>{base_url}</link>\n{entries}</channel></rss>")


def sitemap_xml(items: list[ArticleSpec]) -> str:
    entries = "".join(f"<url><loc>{a.url}</loc><lastmod>{a.published.isoformat()}</lastmod></url>\n" for a in items)
    return f'<?xml version="1.0" encoding="utf-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>'


def site_rule(base_url: str, host: str) -> str:
    escaped = base_url.rstrip("/").replace(".", r"\.")
    return f"""key: {SITE_KEY}
name: Metals Bench (generated)
base_url: {base_url}
languages: [zh-Hans, en, fr, th]
timezone: Asia/Shanghai
enabled: true
rule_version: 1
allowed_hosts: [{host}]
crawl:
  sitemaps: [{base_url.rstrip('/')}/sitemap.xml]
  article_patterns: ['^{escaped}/(?:zh|gbk|en|fr|th)/\\d{{4}}/\\d{{2}}/\\d{{2}}/article-\\d+\\.html$']
  download_delay: 0
  concurrency: 2
extract:
  title_selector: h1.headline
  body_selector: div.article-body
  date_selector: span.pubtime
  author_selector: span.author
  drop_selectors: [div.share, p.disclaimer, section.related]
  date_formats: ['%Y年%m月%d日 %H:%M', '%Y-%m-%d %H:%M']
"""


def _write(web: Path, host: str, path: str, data: bytes, content_type: str | None = None) -> None:
    name = path.lstrip("/") or "index.html"
    if name.endswith("/"):
        name += "index.html"
    target = web / host / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if content_type:
        (target.parent / (target.name + ".meta.json")).write_text(json.dumps({"headers": {"Content-Type": content_type}}))


def write_site(root: Path, base_url: str, articles: int = 2000, new_articles: int = 0, seed: int = 11) -> GeneratedSite:
    """Write the site (``articles`` + ``new_articles`` pages) under ``root``: ``web/`` for the server, ``sites/``
    for the rule file, ``expectations.json`` for the quality check."""
    host = urlsplit(base_url).hostname
    site = GeneratedSite(root, base_url, host)
    generated = article_specs(base_url, articles + new_articles, seed)
    specs = [spec for spec, _, _ in generated]
    site.articles = specs
    web = site.web_dir
    for spec, paragraphs, author in generated:
        related = [specs[j] for j in range(spec.index - len(SECTIONS), -1, -len(SECTIONS))][:6]  # same section
        html = article_html(spec, paragraphs, author, related)
        if spec.section == "gbk":
            _write(web, host, spec.path, html.encode("gbk"), "text/html")  # charset only in the page, as gb2312
        else:
            _write(web, host, spec.path, html.encode("utf-8"), "text/html; charset=utf-8")
    newest = specs[::-1]
    pages = max(1, -(-len(newest) // PER_LIST_PAGE))
    site.list_pages = pages
    for page in range(1, pages + 1):
        chunk = newest[(page - 1) * PER_LIST_PAGE: page * PER_LIST_PAGE]
        _write(web, host, f"/news/page-{page}.html", list_html(page, pages, chunk).encode(), "text/html; charset=utf-8")
    _write(web, host, "/feed.xml", feed_xml(base_url, newest[:FEED_ITEMS]).encode(), "application/rss+xml")
    _write(web, host, "/sitemap.xml", sitemap_xml(newest).encode(), "application/xml")
    _write(web, host, "/robots.txt", f"User-agent: *\nDisallow: /search\nSitemap: {base_url.rstrip('/')}/sitemap.xml\n"
           .encode(), "text/plain")
    _write(web, host, "/", list_html(1, pages, newest[:PER_LIST_PAGE]).encode(), "text/html; charset=utf-8")
    site.sites_dir.mkdir(parents=True, exist_ok=True)
    (site.sites_dir / f"{SITE_KEY}.yaml").write_text(site_rule(base_url, host), encoding="utf-8")
    (root / "expectations.json").write_text(json.dumps(site.expectations(), ensure_ascii=False), encoding="utf-8")
    return site


def body_quality(text: str | None, known: list[str], boilerplate: list[str]) -> tuple[bool, bool]:
    """(every known sentence is in ``text``, no boilerplate is); whitespace differences are ignored."""
    flat = "".join((text or "").split())
    has_known = all("".join(k.split()) in flat for k in known)
    clean = not any("".join(b.split()) in flat for b in boilerplate)
    return has_known, clean


def quality_share(texts: dict[str, str | None], expectations: dict[str, dict]) -> dict[str, float]:
    """Shares over all expected articles: found (any text), complete (every known sentence), clean (no
    boilerplate) and good (complete and clean)."""
    total = len(expectations) or 1
    found = complete = clean = good = 0
    for url, expected in expectations.items():
        text = texts.get(url)
        if not text:
            continue
        found += 1
        has_known, is_clean = body_quality(text, expected["known"], expected["boilerplate"])
        complete += has_known
        clean += is_clean
        good += has_known and is_clean
    return {"found": found / total, "complete": complete / total, "clean": clean / total, "good": good / total}
