"""Site adapters as data: ``kznlp/resources/sites/<site>.toml`` (hosts, entry points, URL patterns, selectors).

Selectors are CSS (soupsieve) lists in priority order; the first that finds something wins, and the generic
extractor in ``kznlp.text.html`` fills whatever a site's selectors leave empty.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources import files
from urllib.parse import urljoin, urlsplit

from kznlp.errors import InputError
from kznlp.scrape.records import Link
from kznlp.scrape.urls import site_host
from kznlp.text.html import ArticleSelectors


@dataclass(frozen=True, slots=True)
class ListingSelectors:
    item: str  # one news item on a listing page
    link: str  # the article link inside an item
    date: str | None = None  # the item's date, inside the item
    next: str | None = None  # the link to the next listing page, if the site has one


@dataclass(frozen=True, slots=True)
class SiteConfig:
    name: str
    hosts: tuple[str, ...]  # without www./m.; the crawler never leaves these
    base_url: str
    language: str = "kk"
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    pagination: str | None = None  # "?page={n}" appended to a listing URL, n from pagination_start
    pagination_start: int = 2  # n of the second listing page
    pagination_step: int = 1  # n grows by this per page (20 for "?start={n}" offsets)
    max_listing_pages: int = 5
    robots_sitemaps: bool = False  # also read the sitemaps robots.txt lists
    article_patterns: tuple[re.Pattern, ...] = ()
    skip_patterns: tuple[re.Pattern, ...] = ()
    listing: ListingSelectors | None = None
    article: ArticleSelectors = field(default_factory=ArticleSelectors)
    key_host: str | None = None  # pages are keyed (and documents named) under this host instead of their own

    def with_base(self, base_url: str) -> "SiteConfig":
        """The same adapter pointed at another address (a mirror, or a test server on 127.0.0.1).  Its pages
        keep the site's keys and document ids, whatever the address (a test server's port changes per run)."""
        return replace(self, base_url=base_url.rstrip("/"), hosts=(site_host(base_url),),
                       key_host=self.key_host or self.hosts[0])

    def key_host_of(self, url: str) -> str:
        """The host ``url`` is keyed under."""
        return self.key_host or site_host(url)

    def owns(self, url: str) -> bool:
        return site_host(url) in self.hosts

    def _path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + ("?" + parts.query if parts.query else "")

    def is_article(self, url: str) -> bool:
        path = self._path(url)
        if any(p.search(path) for p in self.skip_patterns):
            return False
        return not self.article_patterns or any(p.search(path) for p in self.article_patterns)

    def entry_links(self) -> list[Link]:
        url = lambda path: urljoin(self.base_url + "/", path.lstrip("/"))  # noqa: E731
        return ([Link(url(p), "sitemap") for p in self.sitemaps] + [Link(url(p), "feed") for p in self.feeds]
                + [Link(url(p), "listing") for p in self.listings])

    def listing_page(self, listing_url: str, page: int) -> str | None:
        """The URL of listing page ``page`` (2, 3, ...) given any page of the same listing."""
        if not self.pagination:
            return None
        suffix = re.escape(self.pagination).replace(r"\{n\}", r"\d+") + "$"
        base = re.sub(suffix, "", listing_url)
        base = base if self.pagination.startswith("?") else base.rstrip("/")
        return base + self.pagination.format(n=self.pagination_start + (page - 2) * self.pagination_step)


def _tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def parse_site(data: dict, name: str) -> SiteConfig:
    """A SiteConfig from a TOML table; raises InputError naming the problem."""
    try:
        discovery, urls = data.get("discovery", {}), data.get("urls", {})
        listing, article = data.get("listing"), data.get("article", {})
        return SiteConfig(
            name=data.get("name", name), hosts=tuple(site_host("https://" + h) for h in _tuple(data["hosts"])),
            base_url=data["base_url"].rstrip("/"), language=data.get("language", "kk"),
            sitemaps=_tuple(discovery.get("sitemaps")), feeds=_tuple(discovery.get("feeds")),
            listings=_tuple(discovery.get("listings")), pagination=discovery.get("pagination"),
            pagination_start=int(discovery.get("pagination_start", 2)),
            pagination_step=int(discovery.get("pagination_step", 1)),
            max_listing_pages=int(discovery.get("max_listing_pages", 5)),
            robots_sitemaps=bool(discovery.get("robots_sitemaps", False)),
            article_patterns=tuple(re.compile(p) for p in _tuple(urls.get("article"))),
            skip_patterns=tuple(re.compile(p) for p in _tuple(urls.get("skip"))),
            listing=ListingSelectors(listing["item"], listing["link"], listing.get("date"), listing.get("next"))
            if listing else None,
            article=ArticleSelectors(**{k: _tuple(article.get(k)) for k in (
                "title", "date", "author", "lead", "body", "drop", "date_formats")}),
        )
    except (KeyError, TypeError, re.error) as error:
        raise InputError(f"site adapter {name}: bad or missing field ({error})") from None


@cache
def load_sites() -> dict[str, SiteConfig]:
    """Every adapter shipped in ``kznlp/resources/sites``, by name."""
    sites = {}
    for entry in sorted(files("kznlp.resources").joinpath("sites").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            name = entry.name[:-5]
            sites[name] = parse_site(tomllib.loads(entry.read_text("utf-8")), name)
    return sites


def site_named(name: str) -> SiteConfig:
    """``"akorda"`` or ``"akorda=http://127.0.0.1:8000"`` (the adapter pointed at another base URL)."""
    name, _, base = name.partition("=")
    sites = load_sites()
    if name not in sites:
        raise InputError(f"no site adapter named {name!r}; known: {', '.join(sorted(sites))}")
    return sites[name].with_base(base) if base else sites[name]


def site_for(url: str, sites: list[SiteConfig] | None = None) -> SiteConfig | None:
    for site in sites if sites is not None else load_sites().values():
        if site.owns(url):
            return site
    return None
