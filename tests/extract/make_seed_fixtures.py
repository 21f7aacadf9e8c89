"""Regenerate the seed article pages under tests/fixtures/web/ from the seed text dumps.

    .venv/bin/python tests/extract/make_seed_fixtures.py /work/shared/seeds

Each page wraps every line of its seed dump (boilerplate included) in the markup SITES.md §2 describes for
that site, with the <head> a real page of that CMS would carry. Run once; the pages are committed and then
edited by hand like any fixture. The GBK copy of the cnmn page goes to tests/extract/data/.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "tests" / "fixtures" / "web"
DATA = ROOT / "tests" / "extract" / "data"
PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def esc(text: str) -> str:
    return html.escape(text, quote=False).replace("\u00a0", "&nbsp;")


def lines(seeds: Path, name: str) -> list[str]:
    path = next(seeds.glob(f"{name}_*.txt"))
    return [""] + path.read_text(encoding="utf-8").split("\n")  # 1-based like `cat -n`


def cnmn_page(L: list[str], host: str, keywords_line: str | None) -> str:
    """cnmn article DOM (SITES.md §2.1): h4.h4title, p.info, #txtcont, p.actor, 声明 block."""
    body = "\n".join(f'      <p style="text-indent:2em">{esc(x)}</p>' for x in L[3:11])
    statement = "\n".join(f"      <p>{esc(x)}</p>" for x in L[13:18])
    meta = L[2]
    match = re.match(r"(\S+ \S+) (\S+) (\S+ )(\S+) (\S+ )(\S+) (\S+ )(.+)$", meta)
    time, views, src_label, src, cat_label, cat, author_label, authors = match.groups()
    keys = f'<div class="topkey">{esc(keywords_line)}</div>\n' if keywords_line else ""
    site = "中國(guó)有色網(wǎng)" if keywords_line else "中国有色网"
    home = "首頁(yè)" if keywords_line else "首页"
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{esc(L[1])}_{site}</title>
<meta name="keywords" content="{esc(cat)}" />
<meta name="description" content="{esc(L[3][:60])}" />
<link href="/css/bootstrap.min.css" rel="stylesheet" />
<script src="/js/jquery.min.js"></script>
</head>
<body>
{keys}<div class="navbar navbar-default">
  <ul class="nav navbar-nav">
    <li><a href="/">{home}</a></li><li><a href="/ShowNewsList.aspx?id=13">要闻</a></li>
    <li><a href="/metal.aspx?id=1">铜</a></li><li><a href="/metal.aspx?id=23">铝</a></li>
    <li><a href="/metal.aspx?id=35">铅锌</a></li><li><a href="/NewsMarket.aspx">市场行情</a></li>
  </ul>
</div>
<div id="content" class="container">
  <div class="row">
    <div class="col-md-8 container-p">
      <h4 class="h4title">{esc(L[1])}</h4>
      <p class="info clearfix text-center"><span class="time">{esc(time)}</span> <span class="view">{esc(views)}</span> {esc(src_label)}<a href="javascript:void(0)">{esc(src)}</a> {esc(cat_label)}<a rel="tag" href="/ShowNewsList.aspx?id=13">{esc(cat)}</a> {esc(author_label)}{esc(authors)}</p>
      <div id="txtcont">
{body}
      </div>
      <p class="actor">{esc(L[11])}</p>
      <p class="moreinfo">{esc(L[12])}</p>
      <div class="shengming">
{statement}
      </div>
    </div>
    <div class="col-md-4 sidebar-right">
      <h5>热门资讯</h5>
      <ul>
        <li><a href="/ShowNews1.aspx?id=459390">铜价震荡上行 下游采购谨慎</a><span class="time">1月27日</span></li>
        <li><a href="/ShowNews1.aspx?id=459401">氧化铝期货主力合约收跌</a><span class="time">1月27日</span></li>
        <li><a href="/ShowNews1.aspx?id=459415">锡价高位回落 市场观望情绪升温</a><span class="time">1月26日</span></li>
      </ul>
    </div>
  </div>
</div>
<div class="footer"><p>主办单位：中国有色金属报社 京ICP备05037497号</p></div>
</body>
</html>
"""


def to_real_cnmn(L: list[str]) -> list[str]:
    """The article as www.cnmn.com.cn shows it: Simplified, no readings, its own host, full-width 来源："""
    t2s = opencc.OpenCC("t2s")
    out = [t2s.convert(PINYIN.sub("", x)) if x else x for x in L]
    out[2] = out[2].replace("来源: ", "来源： ").replace("分类: ", "分类： ").replace("作者: ", "作者： ")
    out[12] = out[12].replace("m.caoyihen.com", "www.cnmn.com.cn")
    return out


def gmw_page(L: list[str]) -> str:
    title = L[10]
    paras = []
    for n in range(14, 49, 2):
        text = L[n].strip()
        if text == title:  # captions under the photos repeat the headline
            paras.append(f'<p style="text-align: center;"><img src="https://imgdifang.gmw.cn/attachement/jpg/site2/20240704/'
                         f'f44d305ea6{n:02d}27fb1b7e0a.jpg" border="0" /></p>\n<p style="text-align: center;">{esc(text)}</p>')
        else:
            paras.append(f'<p style="text-indent: 2em;">{esc(text)}</p>')
    teasers = "\n".join(
        f'<li><a href="https://www.gmw.cn/2025-11/{L[n + 1][8:10]}/content_3843{n:04d}.htm" target="_blank">'
        f'<p class="m-txt">{esc(L[n])}</p></a><span class="m-time">{esc(L[n + 1])}</span></li>'
        for n in range(80, 119, 2))
    focus = "\n".join(f'<li><a href="https://photo.gmw.cn/2025-11/2{i}/content_3845{i}211.htm">{esc(L[n].strip(" •"))}</a></li>'
                      for i, n in enumerate((73, 75)))
    moods = "\n".join(f'<li><span class="m-mood-name">{esc(L[n].strip(" •"))}</span><span>&nbsp;</span><em>0</em></li>'
                      for n in (58, 61, 64, 67))
    crumbs = '<a href="https://www.gmw.cn/">首页</a>&gt; <a href="https://difang.gmw.cn/">地方频道</a>&gt; ' \
             '<a href="https://difang.gmw.cn/node_29677.htm">经济</a> &gt; <span>正文</span>'
    assert re.sub(r"<[^>]+>", "", crumbs).replace("&gt;", ">") == L[8]
    source, ptime = re.match(r"来源:(.+?)(\d{4}-\d{2}-\d{2} \d{2}:\d{2})$", L[12]).groups()
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="viewport" content="width=device-width,initial-scale=1.0,maximum-scale=1.0,user-scalable=0" />
<title>{esc(title)}_经济_光明网</title>
<meta name="keywords" content="铝工业,霍林郭勒,通辽,绿电铝" />
<meta name="description" content="{esc(L[14].strip()[:70])}" />
<meta name="filetype" content="0" />
<meta name="publishedtype" content="1" />
<meta name="pagetype" content="1" />
<meta name="catalogs" content="29677" />
<meta name="contentid" content="37421613" />
<meta name="source" content="{esc(source)}" />
<link rel="stylesheet" href="https://img.gmw.cn/css/public_gmw.css" />
<script src="https://img.gmw.cn/js/jquery.js"></script>
</head>
<body>
<div id="shareMask" class="m-share-mask" style="display:none">
  <p>{esc(L[1])}</p>
  <p>{esc(L[3])}</p>
  <p class="m-share-tip">{esc(L[5])}</p>
</div>
<div class="g-tips">正在阅读:<span>{esc(title)}</span></div>
<div class="g-crumbs">{crumbs}</div>
<div class="g-main">
  <div class="m-title-box">
    <h1 class="u-title">{esc(title)}</h1>
    <div class="m-con-info">
      <span class="m-con-source">来源:<a href="https://www.tlrm.com.cn/" target="_blank">{esc(source)}</a></span><span class="m-con-time">{esc(ptime)}</span>
    </div>
  </div>
  <div id="articleBox" class="m-l-main">
    <div id="article_inbox">
      <div class="u-mainText">
{chr(10).join(paras)}
      </div>
      <div class="m-unfold"><a href="javascript:void(0)" class="u-unfold">{esc(L[50])}<span>展开</span>)</a></div>
    </div>
    <div class="m-relateNews"><h3>{esc(L[52])}</h3><ul></ul></div>
    <div class="m-mood">
      <div class="m-mood-title">{esc(L[54])}</div>
      <div class="m-mood-logo">{esc(L[56])}</div>
      <div class="m-mood-rank"><span>{esc(L[57])}</span><ul>
{moods}
      </ul></div>
    </div>
  </div>
  <div class="m-r-side">
    <div class="m-focus"><h3>{esc(L[71])}</h3><ul>
{focus}
    </ul></div>
    <div class="m-special"><h3>{esc(L[77])}</h3></div>
  </div>
  <div class="m-tjyd">
    <h3>{esc(L[79])}</h3>
    <ul class="m-tjyd-list">
{teasers}
    </ul>
    <div class="m-loadmore">{esc(L[120])}</div>
  </div>
</div>
<div class="g-footer"><p>光明网版权所有</p></div>
</body>
</html>
"""


def cmra_page(L: list[str]) -> str:
    body = []
    for n in range(2, 17):
        align = ' style="text-align: right;"' if n >= 14 else (' style="text-align: center;"' if n == 3 else "")
        body.append(f"<p{align}>{esc(L[n])}</p>")

    def items(first, last):
        out = []
        for n in range(first, last + 1, 3):
            category, title = L[n + 1].split(" | ", 1)
            out.append(f'<li><i>{esc(L[n])}</i><a href="/cmra/xiehuigongzuo/20230301/{230000 + n}.html"><span>{esc(category)}</span> | '
                       f'{esc(title)}</a><p>{esc(L[n + 2])}</p></li>')
        return "\n".join(out)

    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(L[1])}-中国有色金属工业协会再生金属分会</title>
<meta name="keywords" content="铝工业,绿色低碳,倡议书">
<meta name="description" content="{esc(L[2][:80])}">
<link rel="stylesheet" href="/skin/css/style.css">
</head>
<body>
<div class="top"><div class="logo"><a href="/"><img src="/skin/images/logo.png" alt="中国有色金属工业协会再生金属分会"></a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/cmra/xiehuigongzuo/">协会工作</a></li><li><a href="/cmra/huiyikaocha/">会议与考察</a></li><li><a href="/cmra/zhengcefagui/">政策法规</a></li></ul></div>
<div class="main">
  <div class="left">
    <div class="position">当前位置：<a href="/">主页</a> &gt; <a href="/cmra/xiehuigongzuo/">协会工作</a> &gt;</div>
    <div class="article">
      <h1 class="title">{esc(L[1])}</h1>
      <div class="content">
{chr(10).join(body)}
      </div>
      <div class="laiyuan">{esc(L[17])}</div>
      <div class="zeren">{esc(L[18])}</div>
    </div>
  </div>
  <div class="right">
    <div class="tuijian"><div class="bt">{esc(L[19])}</div><ul>
{items(20, 35)}
    </ul></div>
    <div class="rdnr"><div class="bt">{esc(L[38])}</div><ul>
{items(39, 66)}
    </ul></div>
  </div>
</div>
<div class="foot">Copyright © 中国有色金属工业协会再生金属分会 京ICP备10013208号</div>
</body>
</html>
"""


def smm_page(L: list[str], url: str) -> str:
    body = []
    for n in range(10, 27, 2):
        text = esc(L[n])
        body.append(f"<p><strong>{text}</strong></p>" if n in (10, 16, 20, 24) else f"<p>{text}</p>")
    lang = L[4][len("Langue:"):]
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charSet="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{esc(L[6])} | SMM</title>
<meta property="og:title" content="{html.escape(L[6])}"/>
<meta property="og:type" content="article"/>
<meta property="og:site_name" content="SMM"/>
<meta property="og:url" content="{url}"/>
<meta property="og:image" content="https://static.metal.com/www/images/news-share-default.png"/>
<meta name="keywords" content="Aluminium, ASI, RESPONSIBLE METALS, ESG"/>
<meta name="description" content="{html.escape(L[12][:150])}"/>
<link rel="canonical" href="{url}"/>
<link rel="alternate" hrefLang="en" href="https://news.metal.com/newscontent/103442297/"/>
<script src="/_next/static/chunks/main-3f0b1c.js" defer=""></script>
</head>
<body>
<div id="__next">
<div class="ant-modal-root"><div class="ant-modal-wrap"><div class="ant-modal-content">
  <div class="ant-modal-body"><p class="tip___2kQ0v">{esc(L[1])}</p></div>
  <div class="ant-modal-footer"><button type="button" class="ant-btn ant-btn-primary"><span>{esc(L[2])}</span></button></div>
</div></div></div>
<header class="header___3xRkP">
  <div class="hotline___1n2H7"><i class="icon-phone"></i><span>{esc(L[3])}</span></div>
  <div class="lang___2Xk9c"><span>Langue:{esc(lang)}</span><img src="/static/flags/fr.svg" alt=""/></div>
  <nav class="menu___1o3Lx"><a href="/fr/prices">Prix</a><a href="/fr/news">Actualités</a><a href="/fr/announcements">Annonces</a></nav>
</header>
<main class="main___1Tf7w">
  <div class="detail___2vKqE">
    <h1 class="title___1HIEE">{esc(L[6])}</h1>
    <ul class="info___3DjTM"><li class="date___1bM4b">{esc(L[8].strip(" •"))}</li></ul>
    <div class="content___3SxBk"><div class="newsContent___1Y9wL">
{chr(10).join(body)}
    </div></div>
  </div>
</main>
<div class="whatsapp___2mV7p"><a href="https://wa.me/8618516089166">{esc(L[28].strip())}</a></div>
<div class="survey___3b1Xo"><span>{esc(L[29].strip())}</span><button>Commencer</button></div>
<footer class="footer___1eXoQ"><p>© 2025 SMM Information &amp; Technology Co., Ltd.</p></footer>
</div>
</body>
</html>
"""


def isit_page(L: list[str], news_id: int) -> str:
    body = "\n".join(f"<p>{esc(L[n])}</p>" for n in range(6, 21, 2))
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(L[1])} | ISIT Intelligence Unit</title>
<meta property="og:title" content="{html.escape(L[1])}" />
<meta property="og:image" content="https://iiu.isit.or.th/Upload/news/Cover/{news_id}.jpg" />
<link href="/css/style.css" rel="stylesheet" type="text/css" />
</head>
<body>
<form method="post" action="./Content-{news_id}.aspx" id="form1">
<div class="aspNetHidden"><input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwULLTE2MTY2ODcyMjlkZA==" /></div>
<div class="header"><a href="/th/home.aspx"><img src="/images/logo-iiu.png" alt="ISIT Intelligence Unit" /></a>
<ul class="menu"><li><a href="/th/home.aspx">หน้าแรก</a></li><li><a href="/th/news/Iron%20Industry%20News.aspx">Iron Industry News</a></li><li><a href="/th/news/Business%20News.aspx">Business News</a></li><li><a href="/th/news/Press%20Releases%20News.aspx">Press Releases News</a></li></ul></div>
<div class="container">
  <div class="news-detail">
    <div class="news-title"><h2><span id="ContentPlaceHolder1_lblTitle">{esc(L[1])}</span></h2></div>
    <div class="news-date"><span id="ContentPlaceHolder1_lblDate">{esc(L[3])}</span></div>
    <div class="news-content" id="ContentPlaceHolder1_divContent">
<p style="text-align: center;"><img src="/Upload/news/Cover/{news_id}.jpg" alt="" /></p>
<p><strong>{esc(L[4])}</strong></p>
<p>&nbsp;</p>
{body}
<p>&nbsp;</p>
    </div>
    <div class="news-source"><span id="ContentPlaceHolder1_lblSource">{esc(L[23])}</span></div>
  </div>
  <div class="related-news"><h3>{esc(L[25])}</h3><ul></ul></div>
  <div class="disclaimer"><p>{esc(L[27])}</p></div>
</div>
<div class="footer">Iron and Steel Institute of Thailand</div>
</form>
</body>
</html>
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    print(path.relative_to(ROOT))


def main(seeds: Path) -> None:
    keywords = "免費(fèi)看片,在線觀看,高清視頻,黃金價(jià)格,鋁價(jià)走勢(shì),銅價(jià)今日,彩票開(kāi)獎(jiǎng),足球直播"
    L0 = lines(seeds, "000")
    write(WEB / "m.caoyihen.com" / "ShowNews1.aspx@id=468110", cnmn_page(L0, "m.caoyihen.com", keywords))
    real = cnmn_page(to_real_cnmn(L0), "www.cnmn.com.cn", None)
    write(WEB / "www.cnmn.com.cn" / "ShowNews1.aspx@id=459472", real)
    gbk = real.replace('content="text/html; charset=utf-8"', 'content="text/html; charset=gbk"')
    write(DATA / "cnmn_459472_gbk.html", gbk, "gbk")
    write(WEB / "difang.gmw.cn" / "nmg" / "2024-07" / "04" / "content_37421613.htm", gmw_page(lines(seeds, "001")))
    write(WEB / "www.cmra.cn" / "cmra" / "xiehuigongzuo" / "20210118" / "204436.html", cmra_page(lines(seeds, "002")))
    slug = "103442297-une-delegation-de-haut-niveau-de-l-aluminium-stewardship-initiative-asi-visite-smm"
    smm_url = f"https://news.metal.com/fr/newscontent/{slug}"
    write(WEB / "news.metal.com" / "fr" / "newscontent" / slug, smm_page(lines(seeds, "003"), smm_url))
    write(WEB / "iiu.isit.or.th" / "th" / "news" / "Business News" / "Content-6342.aspx", isit_page(lines(seeds, "004"), 6342))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/seeds"))
