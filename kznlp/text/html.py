"""From an HTML page to an article: title, publication date, author, lead, canonical URL and body paragraphs.

The pipeline, in order (``parse_article``): parse, read metadata (site selectors first, then JSON-LD
``NewsArticle``, Open Graph and article meta), pick the body container (site selectors, JSON-LD
``articleBody``, ``itemprop=articleBody``, the ``<article>`` with the most text, then the densest block of
paragraphs), drop boilerplate inside it, collect paragraphs.  The date is looked for only in metadata and in
the article's own container, never in sidebars.  BeautifulSoup stays in here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag

from kznlp.text.dates import parse_published
from kznlp.text.furniture import is_furniture

BOILERPLATE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                    "iframe", "svg", "button", "select", "figcaption", "template")
BOILERPLATE_CLASSES = re.compile(
    r"share|social|related|breadcrumb|menu|sidebar|comment|banner|advert|\btags?\b|tag-list|subscribe|footer|"
    r"header|navbar|widget|read-?more|also|recommend|popular|newsletter|promo|author-card|copyright", re.I)
CREDIT_LINE = re.compile(r"^\s*(Фото(сурет)?|Суреттер?|Видео|Photo|Источник|Дереккөз|Автор фото|Тегтер|Теги|"
                         r"Оқи отырыңыз|Читайте также|Толығырақ|Бөлісу|Поделиться)\s*[:：-]?", re.I)
CREDIT_SHORT = re.compile(r"^\s*(Фото|Сурет|Видео|Photo)\s*[:：]", re.I)
BLOCK_TAGS = ("p", "li", "h2", "h3", "h4", "h5", "blockquote", "pre")
DATE_META = ("article:published_time", "datePublished", "pubdate", "publish-date", "date", "dc.date",
             "DC.date.issued", "og:published_time", "sailthru.date")


@dataclass(frozen=True, slots=True)
class ArticleSelectors:
    """A site's CSS selectors, each list in priority order (from ``kznlp/resources/sites/*.toml``)."""

    title: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()  # removed from the body container before paragraphs are read
    date_formats: tuple[str, ...] = ()  # strptime patterns tried before the general date parser


NO_SELECTORS = ArticleSelectors()


@dataclass(frozen=True, slots=True)
class HtmlArticle:
    title: str | None
    published: str | None  # YYYY-MM-DD, local time (UTC+5)
    url: str | None  # canonical link or og:url
    paragraphs: tuple[str, ...]
    author: str | None = None
    lead: str | None = None
    html_lang: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<head" in head


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()  # \s and strip() take U+00A0 too


def _json_ld(soup: BeautifulSoup) -> dict:
    """The first JSON-LD object that looks like an article (NewsArticle, Article, ...)."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "", strict=False)
        except (json.JSONDecodeError, TypeError):
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        for item in items:
            if isinstance(item, dict) and "Article" in str(item.get("@type", "")):
                return item
    return {}


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            tag = soup.find("meta", attrs={attr: name})
            if tag and tag.get("content") and _clean(tag["content"]):
                return _clean(tag["content"])
    return None


def _selected(root: Tag, selectors: tuple[str, ...]):
    """The first match of each selector that finds one, in order; an invalid selector is skipped."""
    for selector in selectors:
        try:
            tag = root.select_one(selector)
        except ValueError:
            continue
        if tag is not None:
            yield tag


def _select_text(root: Tag, selectors: tuple[str, ...], *, attrs: tuple[str, ...] = ()) -> str | None:
    for tag in _selected(root, selectors):
        for attr in attrs:
            if tag.get(attr):
                return _clean(tag[attr])
        if text := _clean(tag.get_text(" ")):
            return text
    return None


def _cut_site_name(title: str) -> str:
    # "Title — Site name" / "Title | Site": keep the article's part
    return re.split(r"\s+[|—–]\s+(?=[^|—–]*$)", title)[0]


def _title(soup: BeautifulSoup, ld: dict, sel: ArticleSelectors) -> str | None:
    if found := _select_text(soup, sel.title):
        return found
    h1 = soup.find("h1")
    candidates = [ld.get("headline"), _meta(soup, "og:title", "twitter:title"),
                  h1.get_text(" ") if h1 else None, soup.title.string if soup.title else None]
    site_name = _meta(soup, "og:site_name")
    for candidate in candidates:
        if isinstance(candidate, str) and _clean(candidate) and _clean(candidate) != site_name:
            return _cut_site_name(_clean(candidate))
    return None


def _author(soup: BeautifulSoup, ld: dict, sel: ArticleSelectors) -> str | None:
    if found := _select_text(soup, sel.author):
        return found
    author = ld.get("author")
    if isinstance(author, list) and author:
        author = author[0]
    if isinstance(author, dict):
        author = author.get("name")
    if isinstance(author, str) and _clean(author):
        return _clean(author)
    if found := _meta(soup, "author", "article:author", "dc.creator"):
        return None if found.startswith("http") else found
    tag = soup.find(attrs={"itemprop": "author"}) or soup.find(attrs={"rel": "author"})
    return _clean(tag.get_text(" ")) or None if tag else None


def _date_of(value, formats: tuple[str, ...]) -> str | None:
    if isinstance(value, str) and (parsed := parse_published(value, formats=formats)):
        return parsed.isoformat()
    return None


def _published(soup: BeautifulSoup, ld: dict, container: Tag | None, sel: ArticleSelectors) -> str | None:
    for tag in _selected(soup, sel.date):
        for value in (tag.get("datetime"), tag.get("content"), tag.get_text(" ")):
            if found := _date_of(value, sel.date_formats):
                return found
    for value in (ld.get("datePublished"), _meta(soup, *DATE_META), ld.get("dateCreated")):
        if found := _date_of(value, sel.date_formats):
            return found
    # the article's own container: a <time>, an itemprop, then a date written in its header lines
    scope = container if container is not None else soup
    for tag in scope.find_all("time"):
        if found := _date_of(tag.get("datetime") or tag.get_text(" "), sel.date_formats):
            return found
    tag = scope.find(attrs={"itemprop": "datePublished"})
    if tag is not None and (found := _date_of(tag.get("content") or tag.get("datetime") or tag.get_text(" "),
                                              sel.date_formats)):
        return found
    if container is not None:
        for text in container.find_all(string=True):
            if text.parent is not None and text.parent.name in ("p", "script", "style"):
                continue
            value = _clean(str(text))
            if 6 <= len(value) <= 60 and re.search(r"\d{4}", value) and (found := _date_of(value, sel.date_formats)):
                return found
    return None


def _paragraphs(container: Tag, *, loose: bool = False) -> list[str]:
    """Innermost text blocks of ``container``; with ``loose``, text directly in divs and after <br> too."""
    out = []
    for block in container.find_all(BLOCK_TAGS + (("div", "td") if loose else ())):
        if block.name in ("div", "td"):
            if block.find(BLOCK_TAGS + ("div", "td", "table")):
                continue
        elif block.find(BLOCK_TAGS):
            continue  # only innermost blocks, so no text is counted twice
        for br in block.find_all("br"):
            br.replace_with("\n")
        for line in block.get_text(" ").split("\n"):
            text = _clean(line)
            if text and not CREDIT_LINE.match(text) and not is_furniture(text):
                out.append(text)
    if loose:
        # text sitting directly in the container, between <br>s
        direct = [_clean(str(x)) for x in container.children if isinstance(x, NavigableString)]
        if sum(len(x) for x in direct) > 200:
            out = [x for x in direct if x and not CREDIT_LINE.match(x) and not is_furniture(x)] + out
    return out


def _drop_boilerplate(container: Tag, sel: ArticleSelectors = NO_SELECTORS) -> Tag:
    for selector in sel.drop:
        try:
            for tag in container.select(selector):
                tag.decompose()
        except ValueError:
            continue
    for tag in container.find_all(BOILERPLATE_TAGS):
        tag.decompose()
    for tag in container.find_all(class_=BOILERPLATE_CLASSES):
        if not tag.decomposed and tag is not container:
            tag.decompose()
    return container


def _text_len(tag: Tag) -> int:
    return sum(len(_clean(p.get_text(" "))) for p in tag.find_all("p"))


def _link_density(tag: Tag) -> float:
    text = len(_clean(tag.get_text(" "))) or 1
    return sum(len(_clean(a.get_text(" "))) for a in tag.find_all("a")) / text


def _densest(soup: BeautifulSoup) -> Tag | None:
    """The element whose own paragraphs hold the most text, links discounted."""
    best, best_score = None, 0.0
    for parent in {p.parent for p in soup.find_all("p") if p.parent is not None}:
        paragraphs = parent.find_all("p", recursive=False)
        score = sum(len(_clean(p.get_text(" "))) for p in paragraphs) * (1 - _link_density(parent))
        if score > best_score:
            best, best_score = parent, score
    return best


def _best_article(soup: BeautifulSoup) -> Tag | None:
    """Of several ``<article>`` elements (teasers in menus, related news), the one with the most text."""
    articles = soup.find_all("article")
    if not articles:
        return None
    best = max(articles, key=_text_len)
    return best if _text_len(best) > 0 else None


def _candidates(soup: BeautifulSoup, sel: ArticleSelectors):
    for tag in _selected(soup, sel.body):
        yield tag, True
    yield soup.find(attrs={"itemprop": "articleBody"}), True
    yield _best_article(soup), False
    yield _densest(soup), False


def _normalise_paragraphs(paragraphs: list[str], title: str | None) -> list[str]:
    out: list[str] = []
    for p in paragraphs:
        if out and out[-1] == p:
            continue
        out.append(p)
    if title and out and _clean(out[0]) == _clean(title):
        out = out[1:]
    # trailing credits ("Фото: Ақорда") and one-word tails
    while out and (CREDIT_SHORT.match(out[-1]) or len(out[-1]) < 3):
        out.pop()
    return out


def parse_article(html: str, selectors: ArticleSelectors | None = None) -> HtmlArticle:
    """The article in an HTML page; ``selectors`` (a site adapter's) are tried before the generic signals."""
    sel = selectors or NO_SELECTORS
    soup = BeautifulSoup(html, "lxml")
    ld = _json_ld(soup)
    title, author = _title(soup, ld, sel), _author(soup, ld, sel)
    canonical = soup.find("link", rel="canonical")
    url = canonical.get("href") if canonical and canonical.get("href") else _meta(soup, "og:url")
    if url and re.fullmatch(r"(https?:)?//[^/]+/?", url.strip()):
        url = None  # a home page is not this article's address
    html_tag = soup.find("html")
    html_lang = html_tag.get("lang") if html_tag else None
    lead = _select_text(soup, sel.lead) or (_clean(ld["description"]) if isinstance(ld.get("description"), str)
                                            else None) or _meta(soup, "og:description", "description")
    for tag in soup.find_all(("script", "style", "noscript", "template")):
        tag.decompose()
    paragraphs: list[str] = []
    for candidate, loose in _candidates(soup, sel):
        if candidate is None:
            continue
        published = _published(soup, ld, candidate, sel)  # before boilerplate (a dated header) is dropped
        if paragraphs := _paragraphs(_drop_boilerplate(candidate, sel), loose=loose):
            break
    else:
        published = _published(soup, ld, None, sel)
    if isinstance(ld.get("articleBody"), str) and len(ld["articleBody"]) > max(200, 1.2 * sum(map(len, paragraphs))):
        paragraphs = [_clean(p) for p in ld["articleBody"].splitlines() if _clean(p)]
    paragraphs = _normalise_paragraphs(paragraphs, title)
    if lead and paragraphs and not sel.lead and len(lead) < 40:
        lead = None
    if lead is None and paragraphs:
        lead = paragraphs[0]
    return HtmlArticle(title, published, url, tuple(paragraphs), author=author, lead=lead, html_lang=html_lang)
