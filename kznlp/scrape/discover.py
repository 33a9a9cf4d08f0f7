"""Discovery: links from sitemaps (indexes, news sitemaps), RSS/Atom feeds and listing pages.

Each parser takes the fetched bytes and returns a ``Discovery``; XML is parsed by lxml with entities and
network access off, so a hostile sitemap cannot read files or make requests.
"""

from __future__ import annotations

import re
import zlib
from email.utils import parsedate_to_datetime

from bs4 import BeautifulSoup
from lxml import etree

from kznlp.errors import InputError
from kznlp.scrape.records import Discovery, Kind, Link
from kznlp.scrape.sites import SiteConfig
from kznlp.scrape.urls import absolute, site_host
from kznlp.text.dates import LOCAL_TIME, parse_published

_XML_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
ARTICLE_PATH = re.compile(r"(\d{4,}|[a-z0-9]+(?:[-_][a-z0-9]+){2,})(\.s?html?|\.php)?/?$", re.I)
NOT_ARTICLE = re.compile(r"\.(jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|zip|rar|mp[34]|avi|css|js)(\?|$)|"
                         r"/(tag|tags|search|login|register|author|rss|feed)(/|$)|[?&]page=", re.I)


# The sitemap protocol's limit on an uncompressed sitemap; a gzip body is inflated no further.
MAX_XML_BYTES = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


def _inflate(body: bytes, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit + 1`` bytes of a gzip stream (members one after another, as gzip writes them), and
    whether the stream is whole.  Inflated piece by piece: a 4 MB file can hold 4 GiB of zeros."""
    pieces, size, data = [], 0, body
    while data[:2] == GZIP_MAGIC and size <= limit:
        member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while not member.eof and size <= limit:
                piece = member.decompress(data, limit + 1 - size)
                data = member.unconsumed_tail
                pieces.append(piece)
                size += len(piece)
                if not piece and not data:
                    return b"".join(pieces), False  # cut short
        except zlib.error:
            return b"".join(pieces), False
        data = member.unused_data
    return b"".join(pieces), size <= limit and not data.strip(b"\0")


def gunzip(body: bytes, cap: int = MAX_XML_BYTES) -> bytes:
    """``body`` inflated when it is gzip (as is otherwise); ``InputError`` when it inflates past ``cap``
    bytes or is broken."""
    if body[:2] != GZIP_MAGIC:
        return body
    data, whole = _inflate(body, cap)
    if len(data) > cap:
        raise InputError(f"gzip body inflates past the {cap}-byte cap")
    if not whole:
        raise InputError("broken gzip body")
    return data


def sniff(body: bytes, content_type: str = "") -> Kind:
    """What a fetched document is: a sitemap, a feed, or an HTML page ("auto": article or listing)."""
    head = (_inflate(body, 2048)[0] if body[:2] == GZIP_MAGIC else body)[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    return "auto"


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _date(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    try:
        return parsedate_to_datetime(value).astimezone(LOCAL_TIME).date().isoformat()  # RFC 822 (RSS)
    except (TypeError, ValueError, IndexError):
        pass
    parsed = parse_published(value)
    return parsed.isoformat() if parsed else None


# the internal subset's quoted strings may hold "]" and ">"
DOCTYPE = re.compile(rb"""<!DOCTYPE\b[^\[>]*(?:\[(?:"[^"]*"|'[^']*'|[^"'\]])*\]\s*)?>""")


def _without_doctype(data: bytes) -> bytes:
    """The document without its DOCTYPE.  A sitemap or feed needs no DTD, and the entities one declares
    only hide text (unresolved) or multiply it: with a billion laughs libxml2 gives up on the whole file.
    Their references are then undeclared, which the recovering parser keeps as entity nodes.

    >>> _without_doctype(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "]>">]><x>&a;</x>')
    b'<?xml version="1.0"?><x>&a;</x>'
    """
    start = data.find(b"<!DOCTYPE", 0, 4096)
    match = DOCTYPE.match(data, start) if start >= 0 else None
    return data[:start] + data[match.end():] if match else data


def _text(element) -> str | None:
    """An element's stripped text; None when it holds an entity reference: its value is unknown, and a URL
    cut at one is another URL."""
    if any(isinstance(child, etree._Entity) for child in element):
        return None
    return element.text.strip() if element.text and element.text.strip() else None


def _root(body: bytes):
    try:
        data = _without_doctype(gunzip(body).lstrip())
    except InputError:
        return None
    if not data:
        return None
    try:
        return etree.fromstring(data, parser=_XML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None


def parse_sitemap(body: bytes, base_url: str) -> Discovery:
    """``<sitemapindex>`` gives more sitemaps; ``<urlset>`` gives articles with lastmod or news dates."""
    root = _root(body)
    if root is None:
        return Discovery()
    links = []
    index = _local(root.tag) == "sitemapindex"
    for entry in root:
        if _local(entry.tag) not in ("sitemap", "url"):
            continue
        fields: dict[str, str] = {}
        for child in entry.iter():
            name = _local(child.tag)
            if name and name not in fields and (text := _text(child)) is not None:
                fields[name] = text
        url = absolute(base_url, fields.get("loc"))
        if not url:
            continue
        published = _date(fields.get("publication_date")) or _date(fields.get("lastmod"))
        links.append(Link(url, "sitemap" if index else "article", published, fields.get("title")))
    return Discovery(tuple(links))


def parse_feed(body: bytes, base_url: str) -> Discovery:
    """RSS 2.0 ``<item>`` and Atom ``<entry>``: link, date, title."""
    root = _root(body)
    if root is None:
        return Discovery()
    links = []
    for item in root.iter():
        name = _local(item.tag)
        if name not in ("item", "entry"):
            continue
        url, published, title = None, None, None
        for child in item:
            child_name, text = _local(child.tag), _text(child)
            if child_name == "link":
                href = child.get("href")
                if href and child.get("rel", "alternate") == "alternate":
                    url = url or href
                elif text:
                    url = url or text
            elif child_name in ("pubDate", "published", "date", "issued") and text:
                published = published or _date(text)
            elif child_name == "updated" and text:
                published = published or _date(text)
            elif child_name == "title" and text:
                title = text
            elif child_name == "guid" and text and not url and child.get("isPermaLink", "true") != "false":
                url = text
        url = absolute(base_url, url)
        if url:
            links.append(Link(url, "article", published, title))
    return Discovery(tuple(links))


def parse_listing(html: str, base_url: str, site: SiteConfig | None) -> Discovery:
    """Article links on a listing page: the adapter's item selectors, or same-site links that look like
    articles; the next page from the adapter's selector or ``rel=next``."""
    soup = BeautifulSoup(html, "lxml")
    links: list[Link] = []
    seen: set[str] = set()
    here = site_host(base_url)

    def add(href: str | None, published: str | None = None, title: str | None = None) -> None:
        url = absolute(base_url, href)
        if not url or url in seen or site_host(url) != here:
            return
        if site is not None and not site.is_article(url):
            return
        if site is None and (NOT_ARTICLE.search(url) or not ARTICLE_PATH.search(url.split("?")[0])):
            return
        seen.add(url)
        links.append(Link(url, "article", published, title))

    if site is not None and site.listing is not None:
        for item in soup.select(site.listing.item):
            anchor = item.select_one(site.listing.link)
            if anchor is None:
                continue
            published = None
            if site.listing.date and (tag := item.select_one(site.listing.date)) is not None:
                value = tag.get("datetime") or tag.get_text(" ")
                parsed = parse_published(value, formats=site.article.date_formats)
                published = parsed.isoformat() if parsed else None
            add(anchor.get("href"), published, anchor.get_text(" ", strip=True) or None)
    if not links:
        for anchor in soup.find_all("a", href=True):
            if anchor.find_parent(("nav", "header", "footer")) is None:
                add(anchor["href"], None, anchor.get_text(" ", strip=True) or None)
    next_page = None
    if site is not None and site.listing is not None and site.listing.next:
        tag = soup.select_one(site.listing.next)
        next_page = absolute(base_url, tag.get("href")) if tag is not None else None
    if next_page is None:
        tag = soup.find(["a", "link"], rel="next")
        next_page = absolute(base_url, tag.get("href")) if tag is not None else None
    if next_page and site_host(next_page) != here:
        next_page = None
    return Discovery(tuple(links), next_page)
