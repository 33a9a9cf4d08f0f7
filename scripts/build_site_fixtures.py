"""Build the crawler's fixture sites from real pages and real release texts.

    python scripts/build_site_fixtures.py

Writes ``tests/pages/<site>/`` (one small site per adapter: listing, sitemap or feed, article pages),
``corpora/site/`` (the offline demo site) and ``corpora/gold_bodies/`` (the body each article page must give).
The two saved pages (akorda.kz, nazarbayev.kz) are copied byte for byte; the other article pages wrap real
release texts from ``shared/data/press`` in each site's documented markup (``shared/docs/sites.md``), with the
menus, share buttons, photo credits and related-news blocks an extractor has to drop.
"""

from __future__ import annotations

import html
import json
import shutil
import sys
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kznlp.resources import read_table  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
PAGES = ROOT / "tests" / "pages"
DEMO = ROOT / "corpora" / "site"
GOLD = ROOT / "corpora" / "gold_bodies"


@dataclass(frozen=True)
class Release:
    source: str  # press file name
    title: str
    paragraphs: tuple[str, ...]
    url: str


def release(name: str, *, skip: int = 0, title: str | None = None) -> Release:
    """A press text: first line its source URL, then title and paragraphs; ``skip`` drops header lines."""
    lines = [" ".join(line.split()) for line in (SHARED / "press" / name).read_text("utf-8").splitlines()]
    url, rest = lines[0], [line for line in lines[1:] if line][skip:]
    if title is None:
        title, rest = rest[0], rest[1:]
    body = tuple(line for line in rest if not line.startswith(("Фото:", "Оқылды:")))
    return Release(name, title, body, url)


def ps(paragraphs) -> str:
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


CHROME_TOP = """<header class="site-header"><nav class="menu"><ul><li><a href="/">Басты бет</a></li>
<li><a href="/saiasat/">Саясат</a></li><li><a href="/ekonomika/">Экономика</a></li><li><a href="/qogam/">Қоғам</a></li>
</ul></nav><div class="banner">Жарнама</div></header>"""
CHROME_SIDE = """<aside class="sidebar"><h3>Көп оқылған</h3><ul class="popular">
<li><a href="/news/1">Елорда күні: мерекелік іс-шаралар</a> <span>12.06.2026</span></li>
<li><a href="/news/2">Ауа райы: синоптиктер ескертеді</a> <span>11.06.2026</span></li></ul></aside>"""
SHARE = """<div class="share-buttons"><a href="#">Facebook</a> <a href="#">Telegram</a> <a href="#">WhatsApp</a></div>"""
RELATED = """<div class="related-news"><h4>Тақырыпқа қатысты</h4><ul><li><a href="/news/3">Үкімет отырысы:
негізгі тапсырмалар</a></li><li><a href="/news/4">Өңірлер әкімдеріне ескерту жасалды</a></li></ul></div>"""
FOOTER = """<footer class="footer"><p>© 2026 Барлық құқықтар қорғалған. Материалдарды пайдаланғанда сілтеме
міндетті.</p></footer>"""


def page(title: str, head: str, main: str, *, lang: str = "kk") -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\n<title>{html.escape(title)}"
            f" | News</title>\n{head}</head><body>\n{CHROME_TOP}\n<main>{main}</main>\n{CHROME_SIDE}\n{FOOTER}\n"
            "</body></html>\n")


def write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")


GOLD_ROWS: list[dict] = []


def gold(site: str, rel: str, paragraphs, published: str | None, title: str | None = None) -> None:
    stem = Path(rel).stem if Path(rel).stem != "index" else Path(rel).parent.name
    name = f"{site}.{stem}"
    if paragraphs is not None:  # None: a saved page whose gold body was checked by hand; keep that file
        write(GOLD / f"{name}.txt", "\n".join(paragraphs) + "\n")
    GOLD_ROWS.append({"page": rel, "gold": f"{name}.txt", "published": published, "title": title})


# -- article markups, one per site -----------------------------------------------------------------------------------
def akorda_article(r: Release) -> str:
    main = (f"<section id=\"main_block\"><div class=\"row\"><div class=\"col-lg-8\"><h2> {html.escape(r.title)}</h2>"
            f"<hr/><div class=\"mt-5\"><article>\n{ps(r.paragraphs)}\n</article></div></div></div></section>")
    return page(r.title, "", main)


def kazinform_article(r: Release, shown: str, iso: str, path: str) -> str:
    head = (f"<meta property=\"og:title\" content=\"{html.escape(r.title)} | Kazinform\">\n"
            f"<meta name=\"article:published_time\" content=\"{iso}\">\n"
            f"<link rel=\"canonical\" href=\"{path}\">")
    main = (f"<div class=\"article\"><h1 class=\"article__title\">{html.escape(r.title)}</h1>"
            f"<div class=\"article__date\">{shown} | GMT +5</div>{SHARE}"
            f"<div class=\"article__body-text\">\n{ps(r.paragraphs[:2])}\n"
            "<p class=\"article__photo-credit\">Фото: Kazinform</p>\n"
            f"{ps(r.paragraphs[2:])}\n</div><div class=\"article__tags\">Тегтер: Үкімет</div>{RELATED}</div>")
    return page(r.title, head, main)


def egemen_article(r: Release, iso: str) -> str:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": r.title,
                     "datePublished": iso, "author": {"@type": "Person", "name": "Egemen Qazaqstan"}},
                    ensure_ascii=False)
    head = f"<script type=\"application/ld+json\">{ld}</script>"
    main = (f"<h1 class=\"responsive_title\">{html.escape(r.title)}</h1>{SHARE}"
            f"<div itemprop=\"articleBody\">\n{ps(r.paragraphs)}\n<p>Сурет: egemen.kz</p>\n</div>{RELATED}")
    return page(r.title, head, main)


def khabar_article(r: Release, shown: str) -> str:
    main = (f"<div class=\"iq-blog-box\"><h1 itemprop=\"name\">{html.escape(r.title)}</h1>"
            f"<ul class=\"iq-blog-meta\"><li>{shown}</li><li>Жаңалықтар</li></ul>"
            f"<div class=\"iq-blog-detail\">\n{ps(r.paragraphs)}\n</div>"
            "<div class=\"iq-blog-tag\"><a href=\"/tag/1\">қоғам</a></div></div>")
    return page(r.title, "", main)


def primeminister_article(r: Release, iso: str | None) -> str:
    when = f"<time datetime=\"{iso}\">{iso[:10]}</time>" if iso else ""
    main = (f"<article class=\"news-full\"><h1>{html.escape(r.title)}</h1>{when}"
            f"<div class=\"news-content\">\n{ps(r.paragraphs)}\n</div>{SHARE}</article>{RELATED}")
    return page(r.title, "", main)


def generic_article(r: Release, *, lang: str = "kk", iso: str | None = None, canonical: str | None = None) -> str:
    meta = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": r.title}
    if iso:
        meta["datePublished"] = iso
    head = f"<script type=\"application/ld+json\">{json.dumps(meta, ensure_ascii=False)}</script>\n" \
           f"<meta property=\"og:title\" content=\"{html.escape(r.title)}\">"
    if canonical:
        head += f"\n<link rel=\"canonical\" href=\"{canonical}\">"
    main = f"<article><h1>{html.escape(r.title)}</h1>{SHARE}\n{ps(r.paragraphs)}\n<p>Фото: ашық дереккөздер</p>" \
           f"</article>{RELATED}"
    return page(r.title, head, main, lang=lang)


def sitemap(urls: list[tuple[str, str | None]], *, news: bool = False) -> str:
    rows = []
    for loc, day in urls:
        extra = ""
        if day and news:
            extra = (f"<news:news><news:publication><news:name>News</news:name><news:language>kk</news:language>"
                     f"</news:publication><news:publication_date>{day}</news:publication_date></news:news>")
        elif day:
            extra = f"<lastmod>{day}</lastmod>"
        rows.append(f"<url><loc>{html.escape(loc)}</loc>{extra}</url>")
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    return (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\""
            f"{ns}>\n" + "\n".join(rows) + "\n</urlset>\n")


def rss(title: str, items: list[tuple[str, str, str | None]]) -> str:
    rows = "\n".join(f"<item><title>{html.escape(t)}</title><link>{html.escape(u)}</link>"
                     + (f"<pubDate>{d}</pubDate>" if d else "") + "</item>" for t, u, d in items)
    return (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{html.escape(title)}"
            f"</title>\n{rows}\n</channel></rss>\n")


CYR_TO_LAT = {}


def to_latin(text: str) -> str:
    """Cyrillic to Kazakh Latin (2021), the inverse of kznlp's table, for the one Latin fixture page."""
    if not CYR_TO_LAT:
        for lat, cyr in read_table("latin_to_cyrillic.tsv"):
            if len(lat) == 1 and lat not in "xXcCwWáÁǵǴńŃóÓúÚýÝ":
                CYR_TO_LAT.setdefault(cyr, lat)
        CYR_TO_LAT.update({"й": "i", "Й": "İ"})
    return "".join(CYR_TO_LAT.get(ch, ch) for ch in text)


def main() -> None:
    for target in (PAGES, DEMO):
        if target.exists():
            shutil.rmtree(target)
    akorda_sample = (SHARED / "html" / "akorda_sample.html").read_bytes()
    nazarbayev_sample = (SHARED / "html" / "nazarbayev_sample.html").read_bytes()
    r01 = release("excerpt_01.txt", title="Үкімет басшысы министрлер мен әкімдерге: Есеп беру, презентация жасау "
                  "дегенді доғарыңыздар")
    r01 = replace(r01, paragraphs=r01.paragraphs[1:])  # line 1 is "date ... title"
    r02 = release("excerpt_02.txt", skip=1)
    r03 = release("excerpt_03.txt", title="Келесі отырысқа дейін аяқтаңыздар: Бектенов әкімдерге ескерту жасады")
    r03 = replace(r03, paragraphs=r03.paragraphs[1:])
    r05 = release("excerpt_05.txt", title="Облыста инженерлік желілердің құрылысы мен күрделі жөндеуі жалғасады")
    r06 = release("excerpt_06.txt", title="Өңірде инвестиция тарту жұмысы талқыланды")
    r07 = release("excerpt_07.txt", skip=2)
    r04 = release("excerpt_04.txt")
    r08 = release("excerpt_08.txt")
    r09 = release("excerpt_09.txt", title="Су тасқыны бойынша аудандық штаб отырысы өтті")
    alatau = release("akorda_alatau_kenes_speech.txt")
    alatau = replace(alatau, paragraphs=alatau.paragraphs[:12])  # opening only
    bairaq_text = [" ".join(line.split()) for line in (SHARED / "press" / "bairaq_nur_otan_almaty.txt").read_text("utf-8")
                   .splitlines() if line.strip()]
    bairaq = Release("bairaq_nur_otan_almaty.txt", "«Nur Otan» партиясы Алматы қалалық филиалының кеңейтілген "
                     "отырысы", tuple(bairaq_text), "https://bairaq.kz/")

    # akorda: a speeches listing (two pages), the saved page byte for byte, one wrapped speech
    sample_path = "kz/memleket-basshysy-kasym-zhomart-tokaevtyn-akimshilik-adilet-zhane-onyn-kukyk-ustemdigin-" \
                  "kamtamasyz-etu-isindegi-roli-atty-halykaralyk-forumda-soylegen-sozi-555737"
    alatau_path = alatau.url.split("akorda.kz/", 1)[1]
    site = PAGES / "akorda"
    write(site / f"{sample_path}.html", akorda_sample)
    write(site / f"{alatau_path}.html", akorda_article(alatau))
    item = "<div class=\"item\"><h5>{d}</h5><h3><a href=\"/{p}\">{t}</a></h3></div>"
    write(site / "kz/speeches.html", page("Сөйлеген сөздер", "", item.format(
        d="2026 жылғы 05 маусым", p=sample_path, t="Мемлекет басшысының халықаралық форумда сөйлеген сөзі")
        + "<a rel=\"next\" href=\"/kz/speeches?page=2\">Келесі</a>"))
    write(site / "kz/speeches__page-2.html", page("Сөйлеген сөздер", "", "<div class=\"item\"><h3><a href=\"/"
                                                  f"{alatau_path}\">{alatau.title}</a></h3></div>"))
    for name in ("events", "addresses", "legal_acts"):
        write(site / f"kz/{name}.html", page(name, "", "<p>Әзірге материал жоқ.</p>"))
    gold("akorda", f"akorda/{sample_path}.html", None, None)
    gold("akorda", f"akorda/{alatau_path}.html", alatau.paragraphs, None, alatau.title)

    # kazinform: sitemap + a category listing with .allNewsCard cards
    site = PAGES / "kazinform"
    p01, p02 = r01.url.split("inform.kz/", 1)[1].rstrip("/"), r02.url.split("inform.kz/", 1)[1].rstrip("/")
    write(site / f"{p01}/index.html", kazinform_article(r01, "11:20, 06 Қаңтар 2026", "2026-01-06T11:20:00+05:00",
                                                        "/" + p01 + "/"))
    write(site / f"{p02}/index.html", kazinform_article(r02, "10:50, 02 Желтоқсан 2025", "2025-12-02T05:50:00Z",
                                                        "/" + p02 + "/"))
    write(site / "sitemap.xml", sitemap([("/" + p01 + "/", "2026-01-06"), ("/" + p02 + "/?utm_source=sitemap",
                                                                             "2025-12-02")]))
    card = "<div class=\"allNewsCard\"><a class=\"allNewsCard_title\" href=\"/{p}/\">{t}</a>" \
           "<span class=\"allNewsCard_time\">{d}</span></div>"
    write(site / "category/sayasat/index.html", page("Саясат", "", card.format(p=p01, t=r01.title, d="06.01.2026")
                                                     + card.format(p=p02, t=r02.title, d="02.12.2025")))
    gold("kazinform", f"kazinform/{p01}/index.html", r01.paragraphs, "2026-01-06", r01.title)
    gold("kazinform", f"kazinform/{p02}/index.html", r02.paragraphs, "2025-12-02", r02.title)

    # egemen: robots.txt names a sitemap index -> a news sitemap; one page repeats a Kazinform release
    site = PAGES / "egemen"
    write(site / "article/372211-kelesi-otyrysqa-deyin-ayaqtanyzdar.html", egemen_article(
        r03, "2025-09-15T09:30:00+05:00"))
    write(site / "article/372305-ukimet-basshysy-ministrler-men-akimderge.html", egemen_article(
        r01, "2026-01-06T19:30:00+00:00"))
    write(site / "robots.txt", "User-agent: *\nDisallow: /admin/\n\nSitemap: /sitemap-index.xml\n")
    index = ("<?xml version=\"1.0\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap>"
             "<loc>/sitemap-news.xml</loc><lastmod>2026-01-07</lastmod></sitemap></sitemapindex>\n")
    write(site / "sitemap.xml", index)
    write(site / "sitemap-index.xml", index)
    write(site / "sitemap-news.xml", sitemap([("/article/372211-kelesi-otyrysqa-deyin-ayaqtanyzdar", "2025-09-15"),
                                              ("/article/372305-ukimet-basshysy-ministrler-men-akimderge",
                                               "2026-01-07T00:30:00+05:00"),
                                              ("/admin/secret-page-1234", None)], news=True))
    gold("egemen", "egemen/article/372211-kelesi-otyrysqa-deyin-ayaqtanyzdar.html", r03.paragraphs, "2025-09-15",
         r03.title)
    gold("egemen", "egemen/article/372305-ukimet-basshysy-ministrler-men-akimderge.html", r01.paragraphs,
         "2026-01-07", r01.title)

    # khabar: ?start=N listing pages, dd.mm.yyyy dates in the header list
    site = PAGES / "khabar"
    k07 = "kk/news/kogam/item/160001-bqo-da-bes-madeniet-oshagy-zhondeuden-otedi"
    k06 = "kk/news/ekonomika/item/160002-onirde-investitsiya-tartu-talkylandy"
    write(site / f"{k07}.html", khabar_article(r07, "24.02.2017"))
    write(site / f"{k06}.html", khabar_article(r06, "24.06.2021"))
    news_item = "<div class=\"iq-news-item\"><h3><a href=\"/{p}\">{t}</a></h3><span class=\"iq-news-date\">{d}</span></div>"
    write(site / "kk/news.html", page("Жаңалықтар", "", news_item.format(p=k06, t=r06.title, d="24.06.2021")))
    write(site / "kk/news__start-20.html", page("Жаңалықтар", "", news_item.format(p=k07, t=r07.title,
                                                                                    d="24.02.2017")))
    write(site / "sitemap.xml", sitemap([("/" + k06, "2021-06-24")]))
    gold("khabar", f"khabar/{k07}.html", r07.paragraphs, "2017-02-24", r07.title)
    gold("khabar", f"khabar/{k06}.html", r06.paragraphs, "2021-06-24", r06.title)

    # primeminister: an RSS feed and a /page/N listing
    site = PAGES / "primeminister"
    m05 = "kz/news/oblysta-inzhenerlik-zhelilerdin-kurylysy-zhalgasady-1662610822"
    m04 = "kz/news/ukraina-toniregindegi-zhagdaiga-bailanysty-zhedel-kenes-24117"
    write(site / f"{m05}.html", primeminister_article(r05, "2022-09-08T09:20:22+05:00"))
    write(site / f"{m04}.html", primeminister_article(r04, None))
    write(site / "kz/rss.xml", rss("primeminister.kz", [(r05.title, "/" + m05, "Thu, 08 Sep 2022 04:20:22 GMT")]))
    write(site / "kz/news.html", page("Жаңалықтар", "", f"<article class=\"news-item\"><a href=\"/{m05}\">"
                                      f"{r05.title}</a><time>08.09.2022</time></article>"))
    write(site / "kz/news/page/2.html", page("Жаңалықтар", "", f"<article class=\"news-item\"><a href=\"/{m04}\">"
                                             f"{r04.title}</a></article>"))
    gold("primeminister", f"primeminister/{m05}.html", r05.paragraphs, "2022-09-08", r05.title)
    gold("primeminister", f"primeminister/{m04}.html", r04.paragraphs, None, r04.title)

    # bairaq: generic site; RSS feed; the reference release, and a release in Kazakh Latin
    site = PAGES / "bairaq"
    b1, b2 = "nur-otan-almaty-filialy-44120", "su-tasqyny-boiynsha-shtab-otyrysy-44133"
    write(site / f"{b1}/index.html", generic_article(bairaq, canonical=f"/{b1}/"))
    latin = replace(r09, title=to_latin(r09.title), paragraphs=tuple(to_latin(p) for p in r09.paragraphs))
    write(site / f"{b2}/index.html", generic_article(latin, lang="kk-Latn"))
    write(site / "feed.xml", rss("bairaq.kz", [(bairaq.title, f"/{b1}/?utm_source=rss", None),
                                               (latin.title, f"/{b2}/", None)]))
    write(site / "sitemap.xml", sitemap([(f"/{b1}", None), (f"http://bairaq.kz/{b1}/amp", None)]))
    gold("bairaq", f"bairaq/{b1}/index.html", bairaq.paragraphs, None, bairaq.title)
    gold("bairaq", f"bairaq/{b2}/index.html", latin.paragraphs, None, latin.title)

    # generic pages: the saved nazarbayev.kz page byte for byte
    site = PAGES / "generic"
    write(site / "kk/speeches/kazakstan-halkyna-undeu.html", nazarbayev_sample)
    gold("generic", "generic/kk/speeches/kazakstan-halkyna-undeu.html", None, "2020-03-20")

    # the demo site: one host, a sitemap, a feed and a listing over real pages
    write(DEMO / "articles/akorda-administrative-justice-forum.html", akorda_sample)
    write(DEMO / "articles/nazarbayev-address-2020.html", nazarbayev_sample)
    demo = [("bairaq-nur-otan-almaty", bairaq, None), ("kazinform-ukimet-esep-beru", r01, "2026-01-06"),
            ("kazinform-torgay", r02, "2025-12-02"), ("zhaikpress-madeniet-oshagy", r07, "2017-02-24"),
            ("ortcom-inzhenerlik-zhelileri", r05, "2022-09-08"), ("qazdauiri-su-tasqyny", r09, None)]
    for slug, r, day in demo:
        write(DEMO / f"articles/{slug}.html", generic_article(r, iso=day))
    write(DEMO / "robots.txt", "User-agent: *\nCrawl-delay: 0.1\nDisallow: /private/\n")
    write(DEMO / "sitemap.xml", sitemap([("/articles/akorda-administrative-justice-forum.html", "2026-06-05"),
                                         ("/articles/nazarbayev-address-2020.html", "2020-03-20")]
                                        + [(f"/articles/{s}.html", d) for s, _, d in demo[:3]]))
    write(DEMO / "feed.xml", rss("kznlp demo", [(r.title, f"/articles/{s}.html?utm_source=rss", None)
                                                for s, r, _ in demo[2:]]))
    write(DEMO / "news/index.html", page("Жаңалықтар", "", "<ul>" + "".join(
        f"<li><a href=\"/articles/{s}.html\">{html.escape(r.title)}</a></li>" for s, r, _ in demo)
        + "<li><a href=\"/private/draft-release-0001.html\">Жоба</a></li></ul>"))
    write(GOLD / "pages.json", json.dumps(GOLD_ROWS, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
