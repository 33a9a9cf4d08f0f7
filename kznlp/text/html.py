"""From an HTML page to an article: title, publication date, canonical URL and body paragraphs.

Generic signals first (JSON-LD NewsArticle, Open Graph and article meta, ``<article>``,
``itemprop=articleBody``), then the densest block of paragraphs.  BeautifulSoup stays in here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from kznlp.text.dates import parse_date

BOILERPLATE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                    "iframe", "svg", "button", "select")
BOILERPLATE_CLASSES = re.compile(r"share|social|related|breadcrumb|menu|sidebar|comment|banner|advert|tags|"
                                 r"subscribe|footer|header|navbar|widget", re.I)
CREDIT_LINE = re.compile(r"^\s*(Фото|Сурет|Видео|Photo|Источник|Дереккөз)\s*[:：-]", re.I)
BLOCK_TAGS = ("p", "li", "h2", "h3", "h4", "blockquote")


@dataclass(frozen=True, slots=True)
class HtmlArticle:
    title: str | None
    published: str | None  # YYYY-MM-DD
    url: str | None
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<head" in head


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _json_ld(soup: BeautifulSoup) -> dict:
    """The first JSON-LD object that looks like an article (NewsArticle, Article, ...)."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        for item in items:
            if isinstance(item, dict) and "Article" in str(item.get("@type", "")):
                return item
    return {}


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name}) \
            or soup.find("meta", attrs={"itemprop": name})
        if tag and tag.get("content"):
            return _clean(tag["content"])
    return None


def _title(soup: BeautifulSoup, ld: dict) -> str | None:
    h1 = soup.find("h1")
    candidates = [ld.get("headline"), _meta(soup, "og:title", "twitter:title"),
                  h1.get_text(" ") if h1 else None, soup.title.string if soup.title else None]
    for candidate in candidates:
        if candidate and _clean(candidate):
            # "Title — Site name" / "Title | Site": keep the article's part
            return re.split(r"\s+[|—–]\s+(?=[^|—–]*$)", _clean(candidate))[0]
    return None


def _published(soup: BeautifulSoup, ld: dict) -> str | None:
    candidates = [ld.get("datePublished"),
                  _meta(soup, "article:published_time", "datePublished", "pubdate", "date")]
    time_tag = soup.find("time", attrs={"datetime": True})
    if time_tag:
        candidates.append(time_tag["datetime"])
    for candidate in candidates:
        if candidate and (parsed := parse_date(str(candidate))):
            return parsed.isoformat()
    return None


def _paragraphs(container: Tag) -> list[str]:
    out = []
    for block in container.find_all(BLOCK_TAGS):
        if block.find(BLOCK_TAGS):
            continue  # only innermost blocks, so no text is counted twice
        text = _clean(block.get_text(" "))
        if text and not CREDIT_LINE.match(text):
            out.append(text)
    return out


def _drop_boilerplate(container: Tag) -> Tag:
    for tag in container.find_all(BOILERPLATE_TAGS):
        tag.decompose()
    for tag in container.find_all(class_=BOILERPLATE_CLASSES):
        if not tag.decomposed:
            tag.decompose()
    return container


def _densest(soup: BeautifulSoup) -> Tag | None:
    """The element whose own paragraphs hold the most text."""
    best, best_score = None, 0
    for parent in {p.parent for p in soup.find_all("p") if p.parent is not None}:
        score = sum(len(_clean(p.get_text(" "))) for p in parent.find_all("p", recursive=False))
        if score > best_score:
            best, best_score = parent, score
    return best


def parse_article(html: str) -> HtmlArticle:
    soup = BeautifulSoup(html, "lxml")
    ld = _json_ld(soup)
    title, published = _title(soup, ld), _published(soup, ld)
    canonical = soup.find("link", rel="canonical")
    url = canonical.get("href") if canonical else _meta(soup, "og:url")
    for tag in soup.find_all(("script", "style", "noscript")):
        tag.decompose()
    paragraphs: list[str] = []
    if isinstance(ld.get("articleBody"), str) and len(ld["articleBody"]) > 200:
        paragraphs = [_clean(p) for p in ld["articleBody"].splitlines() if _clean(p)]
    if not paragraphs:
        # Pick the container first and clean inside it only: broken pages nest the whole article
        # inside <header> or <nav>, so dropping those page-wide would drop the article too.
        for container in (soup.find(attrs={"itemprop": "articleBody"}), soup.find("article"), _densest(soup)):
            if container is not None and (found := _paragraphs(_drop_boilerplate(container))):
                paragraphs = found
                break
    if title and paragraphs and _clean(paragraphs[0]) == title:
        paragraphs = paragraphs[1:]
    return HtmlArticle(title, published, url, tuple(paragraphs))
